package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Forks JVMs with the CLI's class path (DJL's PyTorch natives and ONNX Runtime together) that get
 * ONNX Runtime's environment through {@code OrtRuntime} from their main thread: with a short command
 * line (as the {@code ddpm} launcher's {@code java -jar}) and the default or a 256 KiB stack, after
 * libtorch has run an operation, and with a command line of tens of KB (ONNX Runtime 1.29 overflows
 * a 1 MiB stack reading a command line of about 4 KB; a JVM that crashes exits with 139 and without
 * the line the probe prints).
 */
class OrtOnMainThreadTest {

    /** The forked JVM's main: optionally runs a libtorch op, then loads ONNX Runtime and runs a session. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            if (args.length > 0 && args[0].equals("djl-first")) {
                try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
                    m.ones(new ai.djl.ndarray.types.Shape(64, 64)).matMul(m.ones(new ai.djl.ndarray.types.Shape(64, 64)))
                            .sum().getFloat();
                }
            }
            ai.onnxruntime.OrtEnvironment env = org.ddpm4j.runtime.onnx.OrtRuntime.environment();
            System.out.println("loaded ONNX Runtime " + env.getVersion() + " on thread "
                    + Thread.currentThread().getName() + " true");
        }
    }

    /** Runs the probe; the class path goes through the CLASSPATH variable, so the command line stays short. */
    private static String fork(String... jvmAndArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        for (String a : jvmAndArgs) {
            if (a.startsWith("-")) {
                cmd.add(a);
            }
        }
        cmd.add(Probe.class.getName());
        for (String a : jvmAndArgs) {
            if (!a.startsWith("-")) {
                cmd.add(a);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }
        assertTrue(ended, "the forked JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), "forked JVM " + cmd.subList(1, cmd.size()).stream()
                .map(s -> s.length() > 80 ? s.substring(0, 40) + "...(" + s.length() + " chars)" : s).toList()
                + " exited with " + p.exitValue() + ":\n" + out);
        return out;
    }

    @Test
    void loadsFromTheMainThreadWithTheDefaultStack() throws Exception {
        String out = fork();
        assertTrue(out.contains("loaded ONNX Runtime") && out.contains("on thread main true"), out);
    }

    @Test
    void loadsFromTheMainThreadWithASmallStack() throws Exception {
        String out = fork("-Xss256k");
        assertTrue(out.contains("on thread main true"), out);
    }

    @Test
    void loadsWithACommandLineOfTensOfKilobytes() throws Exception {
        String out = fork("-Dpadding=" + "x".repeat(40_000));
        assertTrue(out.contains("loaded ONNX Runtime"), out);
    }

    @Test
    void loadsAfterLibtorch() throws Exception {
        String out = fork("djl-first");
        assertTrue(out.contains("on thread main true"), out);
    }
}
