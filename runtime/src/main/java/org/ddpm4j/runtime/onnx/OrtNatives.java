package org.ddpm4j.runtime.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * ONNX Runtime's native libraries, extracted once per ONNX Runtime build into a cache folder and
 * loaded from there.
 *
 * <p>Left alone, ONNX Runtime's Java loader copies its 28 MB of libraries out of its jar into a new
 * {@code onnxruntime-java*} folder under {@code java.io.tmpdir} in every process (a quarter of a
 * second of a short command) and leaves that folder behind, empty, or full when the process is
 * killed. Given {@code onnxruntime.native.path} (a folder), it loads the libraries from there
 * instead; its own temporary folder is then left empty, and it deletes that itself.
 *
 * <p>The folder is {@code <cache>/onnxruntime/<version>-<os>-<arch>-<crc>}, where {@code <cache>} is
 * the system property {@value #CACHE_PROPERTY}, else {@code $XDG_CACHE_HOME/ddpm4j}, else
 * {@code ~/.cache/ddpm4j}, and {@code <crc>} is a checksum of the libraries' names, sizes and CRCs as
 * the jar records them (so the CPU and GPU jars of one version never share a folder). A process that
 * finds no complete folder extracts into a private temporary folder beside it and renames that into
 * place, so processes starting together never load a half-written library: the first rename wins and
 * the others use its folder. A folder whose files do not have the recorded sizes is replaced.
 *
 * <p>Anything unusual (the property already set by the user, a jar that cannot be read, a cache that
 * cannot be written, a platform ONNX Runtime's jar has no libraries for) leaves ONNX Runtime to its
 * own loader, as before.
 */
public final class OrtNatives {

    /** System property naming the cache root folder (default {@code $XDG_CACHE_HOME/ddpm4j} or {@code ~/.cache/ddpm4j}). */
    public static final String CACHE_PROPERTY = "ddpm4j.cache.dir";
    /** ONNX Runtime's own system property: the folder its loader loads its libraries from. */
    public static final String ORT_PATH_PROPERTY = "onnxruntime.native.path";
    private static final String RESOURCE_ROOT = "ai/onnxruntime/native/";
    /** Extraction folders older than this are from killed processes, and are removed. */
    private static final Duration STALE_EXTRACTION = Duration.ofMinutes(10);

    private OrtNatives() {
    }

    /**
     * Points ONNX Runtime's loader at the cached libraries, extracting them first if needed. Call
     * before the first ONNX Runtime class is initialised.
     *
     * @return the folder the libraries will be loaded from, or empty when ONNX Runtime's own loader
     *         is left to find them (the property was already set, or the cache cannot be used)
     */
    public static synchronized Optional<Path> useCache() {
        if (System.getProperty(ORT_PATH_PROPERTY) != null) {
            return Optional.empty();
        }
        try {
            Optional<Path> folder = cachedLibraries(cacheRoot());
            folder.ifPresent(f -> System.setProperty(ORT_PATH_PROPERTY, f.toString()));
            return folder;
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes the temporary folder ONNX Runtime's loader made in this process, once the libraries are
     * loaded: it is empty when they came from the cache (the loader then removes it itself), and
     * holds the copied libraries when the loader extracted them (which it would only delete at exit,
     * after trying the folder first, so the folder stayed). A loaded library may be unlinked on Linux
     * and macOS; elsewhere, and whenever ONNX Runtime's internals differ from 1.29's, nothing is done.
     */
    static void removeLoaderTemporaryFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            return;
        }
        try {
            Class<?> loader = Class.forName("ai.onnxruntime.OnnxRuntime", false, OrtNatives.class.getClassLoader());
            java.lang.reflect.Field field = loader.getDeclaredField("tempDirectory");
            field.setAccessible(true);
            if (field.get(null) instanceof Path folder
                    && folder.getFileName().toString().startsWith("onnxruntime-java") && Files.isDirectory(folder)) {
                deleteTree(folder);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another ONNX Runtime version: leave its folder to it
        }
    }

    /** The cache root folder: {@value #CACHE_PROPERTY}, {@code $XDG_CACHE_HOME/ddpm4j} or {@code ~/.cache/ddpm4j}. */
    public static Path cacheRoot() {
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "ddpm4j");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ddpm4j");
    }

    /**
     * The folder under {@code root} holding the libraries of the ONNX Runtime jar on the class path,
     * extracted if it is missing or incomplete; empty when that jar holds no libraries for this
     * platform or cannot be found.
     */
    static Optional<Path> cachedLibraries(Path root) throws IOException {
        Optional<Path> jar = ortJar();
        Optional<String> platform = platform();
        if (jar.isEmpty() || platform.isEmpty()) {
            return Optional.empty();
        }
        try (JarFile jf = new JarFile(jar.get().toFile())) {
            List<JarEntry> libraries = libraries(jf, RESOURCE_ROOT + platform.get() + "/");
            if (libraries.isEmpty()) {
                return Optional.empty();
            }
            Path parent = root.resolve("onnxruntime");
            Path folder = parent.resolve(folderName(jf, platform.get(), libraries));
            if (complete(folder, libraries)) {
                return Optional.of(folder);
            }
            Files.createDirectories(parent);
            removeStaleExtractions(parent);
            Path temporary = Files.createTempDirectory(parent, ".extract-");
            try {
                for (JarEntry e : libraries) {
                    Path file = temporary.resolve(fileName(e));
                    try (InputStream in = jf.getInputStream(e)) {
                        Files.copy(in, file);
                    }
                    setPermissions(file, "rwxr-xr-x");
                }
                setPermissions(temporary, "rwxr-xr-x");
                publish(temporary, folder, libraries);
            } finally {
                deleteTree(temporary);
            }
            return Optional.of(folder);
        }
    }

    /** Renames the filled {@code temporary} folder to {@code folder}, unless another process did first. */
    private static void publish(Path temporary, Path folder, List<JarEntry> libraries) throws IOException {
        if (Files.exists(folder) && !complete(folder, libraries)) {
            // damaged (a file truncated or removed by hand): move it aside, then out of the way
            Path aside = Files.createTempDirectory(folder.getParent(), ".extract-");
            Files.delete(aside);
            try {
                Files.move(folder, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another process moved or replaced it meanwhile
            }
            deleteTree(aside);
        }
        try {
            Files.move(temporary, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw e;
        } catch (IOException e) {
            if (!complete(folder, libraries)) {
                throw e;
            }
            // another process published the same libraries first: use theirs
        }
    }

    /** Whether {@code folder} holds every library with the size the jar records. */
    static boolean complete(Path folder, List<JarEntry> libraries) {
        for (JarEntry e : libraries) {
            Path file = folder.resolve(fileName(e));
            try {
                if (!Files.isRegularFile(file) || Files.size(file) != e.getSize()) {
                    return false;
                }
            } catch (IOException ex) {
                return false;
            }
        }
        return true;
    }

    /** The regular files directly in {@code prefix} (debug symbol folders and the like are skipped). */
    private static List<JarEntry> libraries(JarFile jf, String prefix) {
        List<JarEntry> found = new ArrayList<>();
        jf.stream()
                .filter(e -> !e.isDirectory() && e.getName().startsWith(prefix)
                        && e.getName().indexOf('/', prefix.length()) < 0)
                .sorted(Comparator.comparing(JarEntry::getName))
                .forEach(found::add);
        return found;
    }

    private static String folderName(JarFile jf, String platform, List<JarEntry> libraries) throws IOException {
        CRC32 crc = new CRC32();
        for (JarEntry e : libraries) {
            crc.update(e.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            crc.update(Long.toString(e.getSize()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            crc.update(Long.toString(e.getCrc()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String version = jf.getManifest() == null ? null
                : jf.getManifest().getMainAttributes().getValue("Implementation-Version");
        String safeVersion = version == null || !version.matches("[A-Za-z0-9._-]+") ? "unknown" : version;
        return String.format(Locale.ROOT, "%s-%s-%08x", safeVersion, platform, crc.getValue());
    }

    private static String fileName(JarEntry e) {
        String name = e.getName();
        return name.substring(name.lastIndexOf('/') + 1);
    }

    /** The jar that ONNX Runtime's classes come from. */
    private static Optional<Path> ortJar() {
        try {
            CodeSource source = ai.onnxruntime.OrtEnvironment.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return Optional.empty();
            }
            Path path = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** ONNX Runtime's name for this platform's resource folder ({@code linux-x64}, {@code osx-aarch64}, ...). */
    static Optional<String> platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") || os.contains("darwin") ? "osx"
                : os.contains("win") ? "win"
                : os.contains("nux") ? "linux" : null;
        String a = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64"
                : arch.startsWith("aarch64") ? "aarch64" : null;
        return o == null || a == null ? Optional.empty() : Optional.of(o + "-" + a);
    }

    /** Removes extraction folders that a killed process left more than a few minutes ago. */
    private static void removeStaleExtractions(Path parent) {
        Instant before = Instant.now().minus(STALE_EXTRACTION);
        try (Stream<Path> s = Files.list(parent)) {
            s.filter(p -> p.getFileName().toString().startsWith(".extract-")).forEach(p -> {
                try {
                    FileTime modified = Files.getLastModifiedTime(p);
                    if (modified.toInstant().isBefore(before)) {
                        deleteTree(p);
                    }
                } catch (IOException e) {
                    // gone already, or not ours to remove
                }
            });
        } catch (IOException e) {
            // nothing to tidy
        }
    }

    private static void setPermissions(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a later run removes stale extraction folders
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
