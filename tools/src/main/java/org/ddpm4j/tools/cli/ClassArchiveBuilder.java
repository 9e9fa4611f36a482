package org.ddpm4j.tools.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the class-data-sharing archive that {@code ./ddpm} starts with: a <em>static</em> archive
 * ({@code -Xshare:dump}) of the JDK's and ddpm's classes that {@link ClassArchiveWorkload} loads.
 * {@code tools/pom.xml} runs it at {@code package}, on the packaged jar.
 *
 * <p>Three steps, each a JVM of its own, started with the class path this one was started with and
 * the JVM options given (the launcher's): the workload runs with {@code -XX:DumpLoadedClassList};
 * the list is filtered (below); {@code -Xshare:dump} writes the archive from it, to a temporary file
 * renamed into place, so a failed dump leaves no archive and {@code ./ddpm} starts without one.
 *
 * <p>Why static: picocli's classes are Java 5 class files, which Java 17's dynamic archive
 * ({@code -XX:ArchiveClassesAtExit}) never holds, so every run loaded its ~170 classes from the jar
 * and verified them with the old verifier. A static dump keeps old class files (JDK-8261090),
 * except one that it linked itself: it links the interfaces of the lambda classes it generates
 * again from the list's {@code @lambda-proxy} lines, which excluded picocli's
 * {@code IExecutionExceptionHandler} and {@code IParameterExceptionHandler} and the classes that
 * implement them. So the lambda lines whose interface is an old class file are dropped
 * ({@link #keep}); those few lambda classes are generated at run time instead.
 *
 * <p>Arguments: {@code ARCHIVE WORK_DIR MODEL [JVM_OPTION ...]}; a missing MODEL runs the workload
 * without the model's commands. A step that fails is reported on standard error and nothing else
 * happens: it exits 0, since the launcher runs without an archive.
 */
public final class ClassArchiveBuilder {

    /** Class files older than Java 6 (major version 50) have no stack maps: CDS stores them unlinked. */
    private static final int FIRST_LINKED_AT_DUMP = 50;
    private static final long STEP_TIMEOUT_MINUTES = 10;

    private ClassArchiveBuilder() {
    }

    /** Builds the archive: {@code ARCHIVE WORK_DIR MODEL [JVM_OPTION ...]}. */
    public static void main(String[] args) throws Exception {
        Path archive = Path.of(args[0]).toAbsolutePath();
        Path work = Path.of(args[1]).toAbsolutePath();
        Path model = Path.of(args[2]);
        List<String> jvmOptions = List.of(args).subList(3, args.length);
        Files.createDirectories(work);
        Files.deleteIfExists(archive);
        Path list = work.resolve("classes.lst");
        Path log = work.resolve("class-archive.log");
        Files.deleteIfExists(log);

        List<String> record = new ArrayList<>(jvm(jvmOptions));
        record.add("-XX:DumpLoadedClassList=" + list);
        record.add(ClassArchiveWorkload.class.getName());
        record.add(work.resolve("workload").toString());
        if (Files.isRegularFile(model)) {
            record.add(model.toString());
        }
        if (!run(record, log, "recording the classes the commands load")) {
            return;
        }

        Path filtered = work.resolve("classes-archived.lst");
        int dropped = filter(list, filtered, ClassArchiveBuilder.class.getClassLoader());

        Path temporary = archive.resolveSibling(archive.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        List<String> dump = new ArrayList<>(jvm(jvmOptions));
        dump.add("-Xshare:dump");
        dump.add("-XX:SharedClassListFile=" + filtered);
        dump.add("-XX:SharedArchiveFile=" + temporary);
        if (!run(dump, log, "dumping the archive") || !Files.isRegularFile(temporary)) {
            Files.deleteIfExists(temporary);
            return;
        }
        Files.move(temporary, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("class archive: %s (%d MB), %d lambda classes of old interfaces left to run time%n",
                archive.getFileName(), Files.size(archive) >> 20, dropped);
    }

    private static List<String> jvm(List<String> options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    /** Runs one step with its output appended to {@code log}; false (and a line on standard error) when it fails. */
    private static boolean run(List<String> cmd, Path log, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(STEP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            System.err.println("class archive: " + what + " took over " + STEP_TIMEOUT_MINUTES
                    + " minutes; ./ddpm starts without an archive (see " + log + ")");
            return false;
        }
        if (p.exitValue() != 0) {
            System.err.println("class archive: " + what + " failed (exit " + p.exitValue()
                    + "); ./ddpm starts without an archive (see " + log + ")");
            return false;
        }
        return true;
    }

    /**
     * Copies the class list {@code in} to {@code out} without the lambda lines that {@link #keep}
     * drops; returns how many were dropped.
     */
    static int filter(Path in, Path out, ClassLoader loader) throws IOException {
        List<String> kept = new ArrayList<>();
        int dropped = 0;
        for (String line : Files.readAllLines(in, StandardCharsets.UTF_8)) {
            if (keep(line, loader)) {
                kept.add(line);
            } else {
                dropped++;
            }
        }
        Files.write(out, kept, StandardCharsets.UTF_8);
        return dropped;
    }

    /**
     * Whether a line of a {@code -XX:DumpLoadedClassList} list stays: every line but a
     * {@code @lambda-proxy} one whose functional interface is a class file older than Java 6.
     * Such a line is {@code @lambda-proxy CALLER METHOD (CAPTURED)LINTERFACE; ...}.
     */
    static boolean keep(String line, ClassLoader loader) {
        if (!line.startsWith("@lambda-proxy ")) {
            return true;
        }
        String[] words = line.split(" ");
        if (words.length < 4) {
            return true;
        }
        String invokedType = words[3];
        int close = invokedType.lastIndexOf(')');
        if (close < 0 || !invokedType.startsWith("L", close + 1) || !invokedType.endsWith(";")) {
            return true;
        }
        String iface = invokedType.substring(close + 2, invokedType.length() - 1);
        int major = majorVersion(iface + ".class", loader);
        return major < 0 || major >= FIRST_LINKED_AT_DUMP;
    }

    /** The class file major version of {@code resource}, -1 when it cannot be read. */
    static int majorVersion(String resource, ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return -1;
            }
            byte[] head = in.readNBytes(8);
            if (head.length < 8 || (head[0] & 0xff) != 0xca || (head[1] & 0xff) != 0xfe) {
                return -1;
            }
            return ((head[6] & 0xff) << 8) | (head[7] & 0xff);
        } catch (IOException e) {
            return -1;
        }
    }
}
