package org.ddpm4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.ddpm4j.fid.FolderImageSource;

/**
 * One entry of an image folder's top level, the unit of work of the FID job: an image file, or a sub-folder
 * whose images a task lists itself (so the driver never lists the images of a sharded folder: a million
 * images in {@link SampleLayout}'s sub-folders are 100 entries). The images of a folder are taken in sorted
 * path order, as {@code ddpm fid} takes them; with {@link SampleLayout}'s names that is index order.
 *
 * @param uri    the entry's path
 * @param folder whether it is a sub-folder
 * @param limit  at most this many of a sub-folder's images (the first, in path order), -1 for all
 */
record FolderItem(String uri, boolean folder, long limit) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The images and sub-folders directly in {@code folder}, in {@code ddpm fid}'s path order. */
    static List<FolderItem> top(FileSystem fs, Path folder) throws IOException {
        List<FileStatus> entries = new ArrayList<>();
        for (FileStatus st : fs.listStatus(folder)) {
            String name = st.getPath().getName();
            if (ignored(name)) {
                continue;
            }
            if (st.isDirectory() || FolderImageSource.isImageName(name)) {
                entries.add(st);
            }
        }
        // a folder sorts as its paths do: "a.png" < "a/x.png" ('.' < '/')
        entries.sort(Comparator.comparing(st -> st.getPath().getName() + (st.isDirectory() ? "/" : "")));
        return entries.stream().map(st -> new FolderItem(st.getPath().toString(), st.isDirectory(), -1)).toList();
    }

    /** The job's own working folders, never images of the set. */
    static boolean ignored(String name) {
        return name.equals(HadoopFiles.TEMP_FOLDER) || name.equals(SampleJob.MANIFEST_PARTS);
    }

    /**
     * The first {@code n} images of {@code items} in order, given each item's image count: items past them are
     * dropped and the last sub-folder needed gets a limit.
     */
    static List<FolderItem> firstImages(List<FolderItem> items, long n, long[] counts) {
        List<FolderItem> out = new ArrayList<>();
        long left = n;
        for (int i = 0; i < items.size() && left > 0; i++) {
            long take = Math.min(counts[i], left);
            if (take == 0) {
                continue;
            }
            FolderItem it = items.get(i);
            out.add(it.folder() && take < counts[i] ? new FolderItem(it.uri(), true, take) : it);
            left -= take;
        }
        return out;
    }

    /** The image paths of this entry, in path order (a task lists a sub-folder, recursively). */
    List<Path> list(HadoopConf conf) throws IOException {
        Path p = new Path(uri);
        if (!folder) {
            return List.of(p);
        }
        FileSystem fs = p.getFileSystem(conf.get());
        List<Path> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
        while (it.hasNext()) {
            Path f = it.next().getPath();
            if (FolderImageSource.isImageName(f.getName()) && !underIgnored(p, f)) {
                files.add(f);
            }
        }
        files.sort(Comparator.comparing(Path::toString));
        return limit >= 0 && files.size() > limit ? files.subList(0, (int) limit) : files;
    }

    private static boolean underIgnored(Path root, Path file) {
        for (Path q = file.getParent(); q != null && !q.equals(root); q = q.getParent()) {
            if (ignored(q.getName())) {
                return true;
            }
        }
        return false;
    }
}
