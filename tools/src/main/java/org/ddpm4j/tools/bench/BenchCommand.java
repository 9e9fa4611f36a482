package org.ddpm4j.tools.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ddpm bench}: measurements of training and sampling speed on this machine. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = "Measure speed, memory and start-up on this machine (never used as a pass/fail check).",
        subcommands = {
                BenchTrainCommand.class,
                BenchSampleCommand.class,
                BenchSoakCommand.class,
                BenchStartCommand.class,
                BenchServeCommand.class,
        })
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
