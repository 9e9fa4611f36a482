package org.ddpm4j.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.ddpm4j.runtime.pipeline.SampleFiles;

/**
 * Finds the model a {@code ddpm sample --like} PNG was drawn with, by the sha256 the PNG records (the PNG
 * records the model's base name too, never a path, since images are shared): the {@code .onnx} files beside
 * the PNG, then those in the working folder, then the shipped models. Files named as the PNG names its model
 * are tried first in each place; a file is taken only when its sha256 matches.
 */
final class LikeModelFinder {

    private LikeModelFinder() {
    }

    /**
     * The model of {@code png}: {@code given} when set (its sha256 is checked by the caller), the shipped
     * model when the PNG records no sha256, else the first {@code .onnx} file with the recorded sha256.
     *
     * @throws IllegalArgumentException when no file has that sha256, naming its base name, the sha256 and the
     *                                  places searched, and asking for {@code --model}
     */
    static Path find(Path png, Map<String, String> text, Path given) throws IOException {
        if (given != null) {
            return SampleCommand.resolveModel(given);
        }
        String wanted = text.get(SampleFiles.KEY_MODEL_SHA256);
        if (wanted == null) {
            return SampleCommand.resolveModel(null);
        }
        String name = text.getOrDefault(SampleFiles.KEY_MODEL, "");
        List<Path> places = places(png);
        for (Path place : places) {
            for (Path candidate : candidates(place, name)) {
                if (wanted.equalsIgnoreCase(sha256(candidate))) {
                    return candidate;
                }
            }
        }
        throw new IllegalArgumentException(png + " was drawn by the model "
                + (name.isEmpty() ? "(name not recorded)" : "'" + name + "'") + " with sha256 " + wanted
                + "; no .onnx file with that sha256 is in " + String.join(", ", places.stream().map(Path::toString).toList())
                + ": pass that model with --model FILE");
    }

    /** The folders searched, in order: the PNG's, the working folder, the shipped models' folders. */
    private static List<Path> places(Path png) {
        Set<Path> places = new LinkedHashSet<>();
        Path pngFolder = png.toAbsolutePath().getParent();
        if (pngFolder != null) {
            places.add(pngFolder.normalize());
        }
        places.add(Path.of("").toAbsolutePath().normalize());
        Optional<Path> shipped = ShippedFiles.find(SampleCommand.SHIPPED_MODEL);
        shipped.map(p -> p.getParent().getParent()).ifPresent(models -> {
            try (Stream<Path> dirs = Files.list(models)) {
                dirs.filter(Files::isDirectory).sorted().forEach(d -> places.add(d.toAbsolutePath().normalize()));
            } catch (IOException e) {
                shipped.ifPresent(p -> places.add(p.getParent().toAbsolutePath().normalize()));
            }
        });
        return new ArrayList<>(places);
    }

    /** The {@code .onnx} files of a folder, those named {@code name} first. */
    private static List<Path> candidates(Path folder, String name) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx"))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path f) -> !f.getFileName().toString().equals(name))
                            .thenComparing(f -> f.getFileName().toString()))
                    .toList();
        }
    }

    /** The file's sha256 in hex, or an empty string when it cannot be read. */
    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            return "";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
