package org.ddpm4j.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.ddpm4j.fid.FidImage;
import org.ddpm4j.fid.FolderImageSource;

/**
 * The images of a task's {@link FolderItem}s, read one at a time through the Hadoop FileSystem API and decoded
 * as {@code ddpm fid} decodes a folder's images. An image that cannot be read throws {@link Unreadable}.
 */
final class FolderImages implements Iterator<FidImage> {

    /** An image file that cannot be read or decoded. */
    static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String file;
        private final String reason;

        Unreadable(String file, String reason) {
            super(file + ": " + reason, null, false, false);
            this.file = file;
            this.reason = reason;
        }

        String file() {
            return file;
        }

        String reason() {
            return reason;
        }
    }

    private final Iterator<FolderItem> items;
    private final HadoopConf conf;
    private Iterator<Path> files = Collections.emptyIterator();

    FolderImages(Iterator<FolderItem> items, HadoopConf conf) {
        this.items = items;
        this.conf = conf;
    }

    @Override
    public boolean hasNext() {
        while (!files.hasNext() && items.hasNext()) {
            FolderItem item = items.next();
            try {
                files = item.list(conf).iterator();
            } catch (IOException e) {
                throw new Unreadable(item.uri(), "cannot list it: " + OutputFolder.reason(e));
            }
        }
        return files.hasNext();
    }

    @Override
    public FidImage next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Path p = files.next();
        try {
            FileSystem fs = p.getFileSystem(conf.get());
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(HadoopFiles.readAll(fs, p)));
            if (img == null) {
                throw new Unreadable(Locations.display(p), "not a PNG or JPEG this JVM can decode");
            }
            return FolderImageSource.fromBufferedImage(img);
        } catch (IOException | RuntimeException e) {
            if (e instanceof Unreadable u) {
                throw u;
            }
            throw new Unreadable(Locations.display(p), OutputFolder.reason(e));
        }
    }
}
