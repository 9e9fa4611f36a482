package org.ddpm4j.runtime.image;

import org.ddpm4j.runtime.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.imaging.ImageInfo;
import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.formats.png.AbstractPngText;
import org.apache.commons.imaging.formats.png.PngImageInfo;
import org.apache.commons.imaging.formats.png.PngImageParser;
import org.apache.commons.imaging.formats.png.PngImagingParameters;

/**
 * PNG files with {@code tEXt} chunks (Commons Imaging): ddpm4j stores how an image was made (seed,
 * sampler, steps, model sha256) in the file itself.
 */
public final class PngFiles {

    private PngFiles() {
    }

    /** Writes a PNG atomically with one {@code tEXt} chunk per entry (keys are PNG keywords: Latin-1, 1-79 chars). */
    public static void write(BufferedImage image, Path file, Map<String, String> text) throws IOException {
        PngImagingParameters params = parameters(text);
        AtomicFiles.write(file, os -> encode(image, params, os, file.toString()));
    }

    /**
     * The bytes of the PNG that {@link #write} writes, for writers that are not local files (for example
     * a Hadoop file system).
     */
    public static byte[] encode(BufferedImage image, Map<String, String> text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        encode(image, parameters(text), bytes, "image");
        return bytes.toByteArray();
    }

    private static PngImagingParameters parameters(Map<String, String> text) {
        List<AbstractPngText> chunks = new ArrayList<>();
        for (Map.Entry<String, String> e : text.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().length() > 79) {
                throw new IllegalArgumentException("PNG text keyword must be 1-79 characters, found '" + e.getKey() + "'");
            }
            chunks.add(new AbstractPngText.Text(e.getKey(), e.getValue()));
        }
        PngImagingParameters params = new PngImagingParameters();
        params.setTextChunks(chunks);
        return params;
    }

    private static void encode(BufferedImage image, PngImagingParameters params, OutputStream os, String what)
            throws IOException {
        try {
            new PngImageParser().writeImage(image, os, params);
        } catch (ImagingException e) {
            throw new IOException("cannot encode PNG " + what + ": " + e.getMessage(), e);
        }
    }

    /** The text chunks of a PNG file, in file order. */
    public static Map<String, String> readText(Path file) throws IOException {
        try {
            ImageInfo info = new PngImageParser().getImageInfo(ByteSource.path(file), new PngImagingParameters());
            Map<String, String> out = new LinkedHashMap<>();
            for (AbstractPngText t : ((PngImageInfo) info).getTextChunks()) {
                out.put(t.keyword, t.text);
            }
            return out;
        } catch (ImagingException e) {
            throw new IOException(file + ": not a readable PNG (" + e.getMessage() + ")", e);
        }
    }
}
