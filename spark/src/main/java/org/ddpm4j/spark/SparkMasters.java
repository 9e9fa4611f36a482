package org.ddpm4j.spark;

import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a {@code --master} before Spark starts, so a bad one is one line, not Spark's stack trace: the forms
 * Spark's scheduler takes ({@code local}, {@code local[N]}, {@code local[*]}, {@code local[N,F]},
 * {@code local-cluster[N,C,M]}, {@code spark://...}, {@code yarn}), and any other URL a cluster manager on the
 * class path accepts ({@code k8s://...}).
 */
public final class SparkMasters {

    private static final String EXPECTED = "expected local, local[N], local[*], local[N,F], local-cluster[N,C,M], "
            + "spark://HOST:PORT, yarn or k8s://URL";
    private static final Pattern LOCAL_N = Pattern.compile("local\\[\\s*([0-9]+|\\*)\\s*(?:,\\s*([0-9]+)\\s*)?]");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile(
            "local-cluster\\[\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*]");

    private SparkMasters() {
    }

    /**
     * Checks {@code master}.
     *
     * @throws IllegalArgumentException naming the value and the forms expected
     */
    public static void check(String master) {
        String m = master.trim();
        if (m.equals("local") || m.equals("yarn") || (m.startsWith("spark://") && m.length() > "spark://".length())) {
            return;
        }
        Matcher local = LOCAL_N.matcher(m);
        if (local.matches()) {
            if (!local.group(1).equals("*")) {
                atLeastOne(master, "threads", local.group(1));
            }
            if (local.group(2) != null) {
                atLeastOne(master, "attempts per task", local.group(2));
            }
            return;
        }
        Matcher cluster = LOCAL_CLUSTER.matcher(m);
        if (cluster.matches()) {
            atLeastOne(master, "workers", cluster.group(1));
            atLeastOne(master, "cores per worker", cluster.group(2));
            atLeastOne(master, "MB per worker", cluster.group(3));
            return;
        }
        if (clusterManagerAccepts(m)) {
            return;
        }
        throw new IllegalArgumentException("--master " + master + ": " + EXPECTED);
    }

    private static void atLeastOne(String master, String what, String digits) {
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE;
        }
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--master " + master + ": " + what + " must be between 1 and "
                    + Integer.MAX_VALUE + ", found " + digits);
        }
    }

    /** Whether a cluster manager plugin (Spark's {@code ExternalClusterManager}, e.g. Kubernetes) takes the URL. */
    private static boolean clusterManagerAccepts(String master) {
        try {
            Class<?> type = Class.forName("org.apache.spark.scheduler.ExternalClusterManager");
            for (Object manager : ServiceLoader.load(type, SparkMasters.class.getClassLoader())) {
                Object ok = type.getMethod("canCreate", String.class).invoke(manager, master);
                if (Boolean.TRUE.equals(ok)) {
                    return true;
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // no plugin could be asked: the URL is not one of Spark's own forms
        }
        return false;
    }
}
