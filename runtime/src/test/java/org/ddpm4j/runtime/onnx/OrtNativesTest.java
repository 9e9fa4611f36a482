package org.ddpm4j.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's native libraries come from one cache folder per build, shared by every process and
 * never left in the temporary folder. Forked JVMs load ONNX Runtime through {@link OrtRuntime} with a
 * private {@code java.io.tmpdir} and cache root.
 */
class OrtNativesTest {

    /** The forked JVM's main: loads ONNX Runtime and prints where its libraries came from. */
    public static final class Probe {
        public static void main(String[] args) {
            ai.onnxruntime.OrtEnvironment env = OrtRuntime.environment();
            System.out.println("loaded ONNX Runtime " + env.getVersion() + " from "
                    + System.getProperty(OrtNatives.ORT_PATH_PROPERTY));
        }
    }

    @TempDir
    Path dir;

    private Process start(Path cache, Path tmp) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("-D" + OrtNatives.CACHE_PROPERTY + "=" + cache);
        cmd.add(Probe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return pb.start();
    }

    private static String finish(Process p) throws Exception {
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }
        assertTrue(ended, "the forked JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), "the forked JVM failed:\n" + out);
        return out;
    }

    /** Every file under {@code root}, relative, with its inode (file key) and modification time. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                files.put(root.relativize(p).toString(), a.fileKey() + " " + a.lastModifiedTime() + " " + a.size());
            }
        }
        return files;
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void concurrentFirstRunsShareOneExtractionAndLaterRunsReuseIt() throws Exception {
        Path cache = dir.resolve("cache");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        // two processes that find an empty cache at the same time
        Process a = start(cache, tmp);
        Process b = start(cache, tmp);
        String outA = finish(a);
        String outB = finish(b);
        List<String> versions = names(cache.resolve("onnxruntime"));
        assertEquals(1, versions.size(), "one folder per ONNX Runtime build, no extraction folder left: " + versions);
        Path folder = cache.resolve("onnxruntime").resolve(versions.get(0));
        assertTrue(outA.contains("from " + folder) && outB.contains("from " + folder), outA + outB);
        assertTrue(names(folder).contains(System.mapLibraryName("onnxruntime")), names(folder).toString());
        assertEquals(List.of(), names(tmp), "nothing left in java.io.tmpdir");

        Map<String, String> before = snapshot(cache.resolve("onnxruntime"));
        finish(start(cache, tmp));
        assertEquals(before, snapshot(cache.resolve("onnxruntime")), "the second run reuses the files untouched");
        assertEquals(List.of(), names(tmp), "nothing left in java.io.tmpdir");
    }

    @Test
    void aDamagedFolderIsExtractedAgain() throws Exception {
        Path root = dir.resolve("cache");
        Path folder = OrtNatives.cachedLibraries(root).orElseThrow();
        Path library = folder.resolve(System.mapLibraryName("onnxruntime"));
        long size = Files.size(library);
        try (var ch = Files.newByteChannel(library, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        assertEquals(folder, OrtNatives.cachedLibraries(root).orElseThrow());
        assertEquals(size, Files.size(library), "the truncated library was replaced");
        assertEquals(List.of(folder.getFileName().toString()), names(root.resolve("onnxruntime")));
    }

    @Test
    void aCacheThatCannotBeWrittenIsRefusedSoTheLoaderFallsBack() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        assertThrows(IOException.class, () -> OrtNatives.cachedLibraries(file));
        String saved = System.getProperty(OrtNatives.CACHE_PROPERTY);
        String savedPath = System.getProperty(OrtNatives.ORT_PATH_PROPERTY);
        System.clearProperty(OrtNatives.ORT_PATH_PROPERTY);
        System.setProperty(OrtNatives.CACHE_PROPERTY, file.toString());
        try {
            assertEquals(Optional.empty(), OrtNatives.useCache());
            assertFalse(System.getProperties().containsKey(OrtNatives.ORT_PATH_PROPERTY));
        } finally {
            restore(OrtNatives.CACHE_PROPERTY, saved);
            restore(OrtNatives.ORT_PATH_PROPERTY, savedPath);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
