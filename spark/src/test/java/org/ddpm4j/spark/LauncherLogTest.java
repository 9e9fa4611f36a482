package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;

/** The launcher's log configuration (target/launcher/log4j2.properties) quiets Spark's expected notes only. */
class LauncherLogTest {

    @Test
    void loopbackNotesAreQuietAndRealWarningsShow() throws Exception {
        Path config = Path.of("target", "launcher", "log4j2.properties");
        assertTrue(Files.isRegularFile(config), "built by mvn process-resources");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggerContext ctx = null;
        try {
            ctx = Configurator.initialize("ddpm-spark-launcher-test", config.toAbsolutePath().toString());
            var utils = ctx.getLogger("org.apache.spark.util.Utils");
            utils.warn("Your hostname, vm, resolves to a loopback address: 127.0.0.1; using 192.0.2.2 instead (on interface eth0)");
            utils.warn("Set SPARK_LOCAL_IP if you need to bind to another address");
            utils.warn("Service 'sparkDriver' could not bind on a random free port.");
            ctx.getLogger("org.apache.spark.SparkContext").info("Running Spark version 4.0.1");
            ctx.getLogger("org.apache.hadoop.util.NativeCodeLoader").warn("Unable to load native-hadoop library");
            ctx.getLogger("org.apache.spark.scheduler.TaskSetManager").warn("Lost task 0.0 in stage 0.0");
        } finally {
            if (ctx != null) {
                Configurator.shutdown(ctx);
            }
            System.setErr(err);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("loopback"), out);
        assertFalse(out.contains("SPARK_LOCAL_IP"), out);
        assertFalse(out.contains("Running Spark version"), out);
        assertFalse(out.contains("native-hadoop"), out);
        assertTrue(out.contains("could not bind on a random free port"), out);
        assertTrue(out.contains("Lost task 0.0 in stage 0.0"), out);
    }
}
