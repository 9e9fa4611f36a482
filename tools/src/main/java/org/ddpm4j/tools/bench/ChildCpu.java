package org.ddpm4j.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this process's finished (reaped) child processes, as Linux accounts it in
 * {@code /proc/self/stat} (cutime + cstime): the difference around one child's run is that child's
 * user + system time, its own waited-for children included.
 */
final class ChildCpu {

    /** The kernel's clock ticks per second for these fields (USER_HZ, 100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    private ChildCpu() {
    }

    /** cutime + cstime in clock ticks, or -1 where {@code /proc/self/stat} cannot be read. */
    static long ticks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17
            return Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
