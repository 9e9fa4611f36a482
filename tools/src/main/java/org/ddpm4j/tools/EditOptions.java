package org.ddpm4j.tools;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.runtime.image.AnimatedGif;
import org.ddpm4j.runtime.image.ImageResizer;
import org.ddpm4j.runtime.image.InputImages;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.noise.Slerp;
import org.ddpm4j.runtime.pipeline.EditKeys;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.ImageEdit;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.ImageToImage;
import picocli.CommandLine.Option;

/**
 * {@code ddpm sample}'s editing options, a picocli mixin: image-to-image ({@code --init --strength}), inpainting
 * ({@code --init --mask}, {@code --jump-length}, {@code --jump-n-sample}) and interpolation between two seeds
 * ({@code --interpolate A,B --frames F}). It checks the options before the model is opened, reads and converts
 * the images ({@link InputImages}), sets the runtime request's {@link ImageEdit}, writes what it did into the
 * PNG text ({@link EditKeys}), takes it back from a {@code --like} PNG, and writes an interpolation's frames,
 * grid row and GIF.
 */
public final class EditOptions {

    /** diffusers' img2img default. */
    static final double DEFAULT_STRENGTH = 0.8;
    /** diffusers' RePaint defaults. */
    static final int DEFAULT_JUMP = 10;
    static final int DEFAULT_FRAMES = 8;

    @Option(names = "--init", paramLabel = "IMAGE",
            description = "Start from this image (PNG, JPEG, GIF, BMP): image-to-image with --strength, or inpainting"
                    + " with --mask. It is converted to the model's channels (gray: luma) and size (shorter side scaled,"
                    + " centre cropped, " + ImageResizer.FILTER + " filter) unless --no-resize.")
    Path init;

    @Option(names = "--strength", paramLabel = "S",
            description = "Image-to-image (SDEdit): how far the --init image is noised, in (0, 1]: the last"
                    + " floor(steps x S) steps are run, as diffusers' img2img does; 1 samples from noise, small values"
                    + " keep the image (default " + DEFAULT_STRENGTH + ").")
    Double strength;

    @Option(names = "--mask", paramLabel = "IMAGE",
            description = "Inpainting (RePaint): white pixels of this mask are regenerated, black ones kept from --init"
                    + " (gray is thresholded at 50%); the same size as --init. Needs an ancestral sampler: ddpm or ddim"
                    + " (default ddim).")
    Path mask;

    @Option(names = "--jump-length", paramLabel = "J",
            description = "Inpainting: steps jumped back in each RePaint resampling (diffusers' jump_length; default "
                    + DEFAULT_JUMP + ").")
    Integer jumpLength;

    @Option(names = "--jump-n-sample", paramLabel = "R",
            description = "Inpainting: times each resampling point is visited (diffusers' jump_n_sample; 1 = no"
                    + " resampling; default " + DEFAULT_JUMP + ").")
    Integer jumpNSample;

    @Option(names = "--interpolate", paramLabel = "A,B",
            description = "Images between seeds A and B: spherical interpolation of their starting noise with a"
                    + " deterministic sampler (dpmpp by default, or ddim with eta 0); writes frame-NNNN.png,"
                    + " interpolation.png (a row) and interpolation.gif. A class-conditional model draws one class"
                    + " (--class, default seed A's).")
    String interpolate;

    @Option(names = "--frames", paramLabel = "F",
            description = "Interpolation: images from A to B, both included (default " + DEFAULT_FRAMES + ").")
    Integer frames;

    @Option(names = "--no-resize", description = "Refuse --init and --mask images of another size than the model's"
            + " instead of resizing them.")
    boolean noResize;

    /** The interpolation's seeds, once {@link #check} has read them. */
    private long seedA;
    private long seedB;
    /** The one frame a {@code --like} PNG of an interpolation asks for, or -1 for all. */
    private int likeFrame = -1;
    private final Map<String, String> text = new LinkedHashMap<>();
    private String description;

    /** Whether any editing mode is asked for. */
    boolean active() {
        return init != null || interpolate != null;
    }

    /** Whether an interpolation is asked for. */
    boolean interpolating() {
        return interpolate != null;
    }

    /** Seed A of the interpolation. */
    long seedA() {
        return seedA;
    }

    /** Images an interpolation draws: the frames, or the one frame of a {@code --like} PNG. */
    int imageCount() {
        return likeFrame >= 0 ? 1 : frames();
    }

    private int frames() {
        return frames == null ? DEFAULT_FRAMES : frames;
    }

    /** The sampler an editing mode uses when none is given, or {@code fallback}. */
    String defaultSampler(String fallback) {
        if (interpolate != null) {
            return "dpmpp";
        }
        return mask != null ? "ddim" : fallback;
    }

    /**
     * Takes the editing settings a {@code --like} PNG recorded, for the options not given: the mode, the files (at
     * their recorded path, or next to the PNG; checked by sha256), strength, jumps, seeds and frame.
     */
    void like(Path png, Map<String, String> recorded) throws IOException {
        String mode = recorded.get(EditKeys.MODE);
        if (mode == null || active() && !sameMode(mode)) {
            return; // not edited, or the options given ask for another mode
        }
        switch (mode) {
            case "img2img", "inpaint" -> {
                init = recordedFile(png, recorded, "init image", "--init", init, EditKeys.INIT, EditKeys.INIT_SHA256);
                if (mode.equals("img2img") && strength == null && recorded.containsKey(EditKeys.STRENGTH)) {
                    strength = Double.valueOf(recorded.get(EditKeys.STRENGTH));
                }
                if (mode.equals("inpaint")) {
                    mask = recordedFile(png, recorded, "mask", "--mask", mask, EditKeys.MASK, EditKeys.MASK_SHA256);
                    if (jumpLength == null && recorded.containsKey(EditKeys.JUMP_LENGTH)) {
                        jumpLength = Integer.valueOf(recorded.get(EditKeys.JUMP_LENGTH));
                    }
                    if (jumpNSample == null && recorded.containsKey(EditKeys.JUMP_N_SAMPLE)) {
                        jumpNSample = Integer.valueOf(recorded.get(EditKeys.JUMP_N_SAMPLE));
                    }
                }
                if ("none".equals(recorded.get(EditKeys.RESIZE))) {
                    noResize = true;
                }
            }
            case "interpolate" -> {
                if (interpolate == null) {
                    interpolate = recorded.get(EditKeys.INTERPOLATE);
                    if (frames == null && recorded.containsKey(EditKeys.FRAMES)) {
                        frames = Integer.valueOf(recorded.get(EditKeys.FRAMES));
                    }
                    if (recorded.containsKey(EditKeys.FRAME)) {
                        likeFrame = Integer.parseInt(recorded.get(EditKeys.FRAME));
                    }
                }
            }
            default -> throw new IllegalArgumentException(png + " records editing mode '" + mode + "', expected img2img,"
                    + " inpaint or interpolate");
        }
    }

    private boolean sameMode(String mode) {
        return switch (mode) {
            case "interpolate" -> interpolate != null;
            case "inpaint" -> mask != null || (init != null && strength == null);
            default -> init != null && mask == null;
        };
    }

    /** The file a --like PNG names: the one given, the recorded path, or the same name next to the PNG; sha256 checked. */
    private static Path recordedFile(Path png, Map<String, String> recorded, String what, String option, Path given,
            String pathKey, String shaKey) throws IOException {
        String path = recorded.get(pathKey);
        String sha = recorded.get(shaKey);
        Path file = given;
        if (file == null && path != null) {
            Path asRecorded = Path.of(path);
            Path besidePng = png.toAbsolutePath().resolveSibling(asRecorded.getFileName());
            file = Files.isRegularFile(asRecorded) ? asRecorded : Files.isRegularFile(besidePng) ? besidePng : null;
        }
        if (file == null) {
            throw new IllegalArgumentException(png + " was drawn from the " + what + " '" + path + "' (sha256 " + sha
                    + "), which is not at hand: pass it with " + option + " FILE");
        }
        if (sha != null && Files.isRegularFile(file) && !sha.equals(sha256(file))) {
            throw new IllegalArgumentException(png + " was drawn from the " + what + " with sha256 " + sha + " ('" + path
                    + "'), found " + sha256(file) + " in " + file + "; pass that file with " + option);
        }
        return file;
    }

    /**
     * Checks the options on their own, before the model is opened.
     *
     * @param classChoice the {@code --class} value (or null)
     * @throws IllegalArgumentException for a combination that does not go together or a value out of range
     * @throws java.nio.file.NoSuchFileException for a missing image
     */
    void check(String classChoice) throws IOException {
        if (strength != null && init == null) {
            throw new IllegalArgumentException("--strength needs --init IMAGE (the image to start from)");
        }
        if (mask != null && init == null) {
            throw new IllegalArgumentException("--mask needs --init IMAGE (the image whose black part is kept)");
        }
        if (mask != null && strength != null) {
            throw new IllegalArgumentException("--strength is image-to-image's; inpainting (--mask) regenerates the white"
                    + " part from noise: give one of --strength and --mask");
        }
        if ((jumpLength != null || jumpNSample != null) && mask == null) {
            throw new IllegalArgumentException("--jump-length and --jump-n-sample set inpainting's resampling: they need"
                    + " --mask");
        }
        if (jumpLength != null && jumpLength < 1 || jumpNSample != null && jumpNSample < 1) {
            throw new IllegalArgumentException("--jump-length and --jump-n-sample must be at least 1, found "
                    + jumpLength + " and " + jumpNSample);
        }
        if (frames != null && interpolate == null) {
            throw new IllegalArgumentException("--frames needs --interpolate A,B");
        }
        if (interpolate != null && init != null) {
            throw new IllegalArgumentException("--interpolate walks between two seeds' noise; it does not take --init");
        }
        if (noResize && init == null) {
            throw new IllegalArgumentException("--no-resize applies to --init and --mask images; none is given");
        }
        if (strength != null) {
            ImageToImage.checkStrength(strength);
        }
        if (interpolate != null) {
            String[] parts = interpolate.split(",");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                seedA = Long.parseLong(parts[0].trim());
                seedB = Long.parseLong(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--interpolate takes two seeds as A,B (for example 3,7), found '"
                        + interpolate + "'");
            }
            if (frames() < 2) {
                throw new IllegalArgumentException("--frames must be at least 2 (seed A and seed B), found " + frames());
            }
            if (likeFrame >= frames()) {
                throw new IllegalArgumentException("frame " + likeFrame + " of " + frames() + " frames does not exist");
            }
        }
        if (active() && classChoice != null && classChoice.trim().equalsIgnoreCase("all")) {
            throw new IllegalArgumentException("--class all (one row per class) does not combine with --init or"
                    + " --interpolate: name one class, or leave --class out");
        }
        if (init != null) {
            InputImages.read(init); // missing or unreadable: one line before the model is opened
            if (mask != null) {
                BufferedImage a = InputImages.read(init);
                BufferedImage m = InputImages.read(mask);
                if (a.getWidth() != m.getWidth() || a.getHeight() != m.getHeight()) {
                    throw new IllegalArgumentException("--mask " + mask + " is " + m.getWidth() + "x" + m.getHeight()
                            + " pixels, expected the size of --init " + init + ", " + a.getWidth() + "x" + a.getHeight());
                }
            }
        }
    }

    /**
     * Reads and converts the images and sets the request's editing mode. For an interpolation of a
     * class-conditional model whose classes came from the seeds, every frame gets seed A's class.
     *
     * @param classBySeed whether the request's labels came from the seeds (no --class)
     */
    void apply(GenerationRequest.Builder request, ModelInfo info, boolean classBySeed) throws IOException {
        text.clear();
        String size = info.width() + "x" + info.height();
        if (init != null) {
            BufferedImage img = InputImages.read(init);
            float[] values = InputImages.toTensor(img, info.channels(), info.height(), info.width(), !noResize,
                    "--init " + init);
            String sizes = img.getWidth() + "x" + img.getHeight();
            String resized = sizes.equals(size) ? sizes : sizes + ", resized to " + size + " with the " + ImageResizer.FILTER + " filter";
            text.put(EditKeys.INIT, init.toString());
            text.put(EditKeys.INIT_SHA256, sha256(init));
            text.put(EditKeys.INIT_SIZE, sizes);
            text.put(EditKeys.RESIZE, noResize ? "none" : ImageResizer.FILTER);
            if (mask == null) {
                double s = strength == null ? DEFAULT_STRENGTH : strength;
                request.optImageToImage(values, s);
                text.put(EditKeys.MODE, "img2img");
                text.put(EditKeys.STRENGTH, Double.toString(s));
                description = String.format(Locale.ROOT, "image-to-image from %s (%s), strength %s", init, resized, s);
            } else {
                float[] m = InputImages.toMask(InputImages.read(mask), info.height(), info.width(), !noResize,
                        "--mask " + mask);
                int regenerate = 0;
                for (float v : m) {
                    regenerate += (int) v;
                }
                if (regenerate == 0) {
                    throw new IllegalArgumentException("--mask " + mask + " has no white pixel" + (sizes.equals(size) ? ""
                            : " at the model's " + size) + ": there is nothing to regenerate (white = regenerate, black"
                            + " = keep)");
                }
                int j = jumpLength == null ? DEFAULT_JUMP : jumpLength;
                int r = jumpNSample == null ? DEFAULT_JUMP : jumpNSample;
                request.optInpainting(values, m, j, r);
                text.put(EditKeys.MODE, "inpaint");
                text.put(EditKeys.MASK, mask.toString());
                text.put(EditKeys.MASK_SHA256, sha256(mask));
                text.put(EditKeys.JUMP_LENGTH, Integer.toString(j));
                text.put(EditKeys.JUMP_N_SAMPLE, Integer.toString(r));
                description = String.format(Locale.ROOT, "inpainting %s (%s): %d of %d pixels of %s regenerated,"
                        + " jump length %d, jump n-sample %d", init, resized, regenerate, m.length, mask, j, r);
            }
        } else if (interpolate != null) {
            double[] positions = Slerp.positions(frames());
            if (likeFrame >= 0) {
                positions = new double[] {positions[likeFrame]};
            }
            request.optInterpolation(new ImageEdit.Interpolation(seedA, seedB, positions));
            String cls = "";
            if (classBySeed && info.conditional()) {
                ClassLabels classes = ClassLabels.of(info);
                long label = classes.bySeed(seedA, 1)[0];
                request.optClassLabels(label);
                cls = ", every frame of seed " + seedA + "'s class " + label + " (--class picks another)";
            }
            text.put(EditKeys.MODE, "interpolate");
            text.put(EditKeys.INTERPOLATE, seedA + "," + seedB);
            text.put(EditKeys.FRAMES, Integer.toString(frames()));
            description = "interpolation from seed " + seedA + " to seed " + seedB + ", " + frames() + " frames"
                    + (likeFrame >= 0 ? " (frame " + likeFrame + ")" : "") + cls;
        }
    }

    /** A line saying what the edit does, after {@link #apply}. */
    String description() {
        return description;
    }

    /** The PNG text of the edit, after {@link #apply} (empty when none). */
    Map<String, String> text() {
        return text;
    }

    /**
     * Writes an interpolation: {@code frame-NNNN.png} per frame (with the settings and its frame index in its
     * text), {@code interpolation.png} (one row) and {@code interpolation.gif} (there and back), unless only the one
     * frame of a {@code --like} PNG was drawn.
     */
    void writeInterpolation(GenerationResult result, Path out, Map<String, String> settings, String modelSha256,
            int scale, boolean images, PrintWriter log) throws IOException {
        List<Path> files = new ArrayList<>();
        if (images) {
            for (int k = 0; k < result.count(); k++) {
                int index = likeFrame >= 0 ? likeFrame : k;
                Map<String, String> t = SampleFiles.imageText(result, k, modelSha256);
                settings.forEach(t::putIfAbsent);
                t.put(EditKeys.FRAME, Integer.toString(index));
                Path file = out.resolve(String.format("frame-%04d.png", index));
                PngFiles.write(result.image(k), file, t);
                files.add(file);
            }
            log.printf("wrote %d %s to %s (%s%s)%n", files.size(), files.size() == 1 ? "frame" : "frames", out,
                    files.get(0).getFileName(), files.size() == 1 ? "" : " ... " + files.get(files.size() - 1).getFileName());
        }
        if (likeFrame < 0) {
            Path row = SampleFiles.writeGrid(result, out.resolve("interpolation.png"), result.count(), scale, modelSha256);
            List<BufferedImage> loop = new ArrayList<>();
            for (int k = 0; k < result.count(); k++) {
                loop.add(scaled(result.image(k), scale));
            }
            for (int k = result.count() - 2; k > 0; k--) {
                loop.add(loop.get(k));
            }
            Path gif = out.resolve("interpolation.gif");
            AnimatedGif.write(loop, 12, 60, gif);
            log.println("row: " + row + ", gif: " + gif + " (seed " + seedA + " to " + seedB + " and back)");
        }
    }

    private static BufferedImage scaled(BufferedImage img, int scale) {
        BufferedImage out = new BufferedImage(img.getWidth() * scale, img.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, img.getRGB(x / scale, y / scale));
            }
        }
        return out;
    }

    /** The SHA-256 of a file, in lower-case hex. */
    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
