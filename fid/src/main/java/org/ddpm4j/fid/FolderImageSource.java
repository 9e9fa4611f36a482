package org.ddpm4j.fid;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The PNG and JPEG images in a folder and its sub-folders, in sorted path order, except {@code grid.png}. Gray images (one
 * colour component) become one-channel images, everything else RGB (alpha dropped).
 */
public final class FolderImageSource implements ImageSource {

    private final Path folder;
    private final List<Path> files;
    private int position;

    /**
     * Lists the images of {@code folder}.
     *
     * @throws IOException when the folder is missing or holds no PNG or JPEG file
     */
    public FolderImageSource(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "image folder not found");
        }
        this.folder = folder;
        try (Stream<Path> walk = Files.walk(folder)) {
            this.files = walk.filter(Files::isRegularFile).filter(FolderImageSource::isImage).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("image folder " + folder + " holds no PNG or JPEG files (*.png, *.jpg, *.jpeg)");
        }
    }

    /**
     * Whether a file counts as an image of the set: PNG or JPEG, and not {@value #GRID_NAME}, the contact sheet
     * {@code ddpm sample --grid} writes next to the samples.
     */
    static boolean isImage(Path p) {
        return isImageName(p.getFileName().toString());
    }

    /**
     * Whether a file name is one this source reads ({@code *.png}, {@code *.jpg}, {@code *.jpeg}, any
     * case), except {@value #GRID_NAME}.
     */
    public static boolean isImageName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.equals(GRID_NAME)) {
            return false;
        }
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** The grid file name of {@code ddpm sample --grid}, never counted as a sample. */
    public static final String GRID_NAME = "grid.png";

    @Override
    public String description() {
        return "folder " + folder;
    }

    @Override
    public long size() {
        return files.size();
    }

    @Override
    public List<FidImage> next(int max) throws IOException {
        List<FidImage> out = new ArrayList<>(Math.min(max, files.size() - position));
        while (out.size() < max && position < files.size()) {
            out.add(read(files.get(position++)));
        }
        return out;
    }

    /** Reads one PNG or JPEG file as an image in [0, 1]. */
    public static FidImage read(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException("cannot decode image " + file + ": not a PNG or JPEG this JVM can read");
        }
        return fromBufferedImage(img);
    }

    /** Converts a decoded image to [0, 1] floats (gray rasters are read directly, without colour conversion). */
    public static FidImage fromBufferedImage(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        if (img.getColorModel().getNumColorComponents() == 1) {
            Raster r = img.getRaster();
            double max = (1L << img.getColorModel().getComponentSize(0)) - 1;
            float[] p = new float[plane];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    p[y * w + x] = (float) (r.getSample(x, y, 0) / max);
                }
            }
            return new FidImage(1, h, w, p);
        }
        float[] p = new float[3 * plane];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int rgb = row[x];
                int i = y * w + x;
                p[i] = ((rgb >> 16) & 0xff) / 255f;
                p[plane + i] = ((rgb >> 8) & 0xff) / 255f;
                p[2 * plane + i] = (rgb & 0xff) / 255f;
            }
        }
        return new FidImage(3, h, w, p);
    }
}
