package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a main class in a fresh JVM with the test class path, as a user's separate process would. */
final class ForkedJvm {

    private ForkedJvm() {
    }

    /**
     * Runs {@code main} with {@code args} and the extra environment {@code env}; fails the test unless
     * it exits 0 within {@code timeoutSeconds}.
     *
     * @return its standard output and error, interleaved
     */
    static String run(Class<?> main, Map<String, String> env, long timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // the class path through the environment: a long -cp would lengthen the command line
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), main.getSimpleName() + " did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
