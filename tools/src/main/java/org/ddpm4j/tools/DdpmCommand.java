package org.ddpm4j.tools;

import org.ddpm4j.tools.cli.CommandFactory;
import org.ddpm4j.tools.cli.LazyCommandTree;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code ddpm} command line: train, export, verify, sample, adopt, inspect, fid, bench.
 *
 * <p>Bad input ends in one line on standard error and a non-zero exit code, never a stack trace
 * (run with {@code DDPM_DEBUG=1} to see one).
 */
@Command(name = "ddpm",
        mixinStandardHelpOptions = true,
        version = "ddpm4j 0.1.0",
        description = "Train DDPM image models with DJL, ship them as one ONNX file, sample them on ONNX Runtime.",
        subcommands = {
                CommandLine.HelpCommand.class,
                TrainCommand.class,
                ExportCommand.class,
                VerifyCommand.class,
                InspectCommand.class,
                SampleCommand.class,
                AdoptCommand.class,
                ImportCommand.class,
                FidCommand.class,
                ServeCommand.class,
                org.ddpm4j.tools.bench.BenchCommand.class,
        })
public final class DdpmCommand implements Runnable {

    /** Exit code for bad input: a missing or corrupt file, a wrong option value, a contract violation. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for a check that ran and failed (verify, parity). */
    public static final int EXIT_CHECK_FAILED = 3;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int execute(String... args) {
        System.setProperty("ai.djl.offline", "true");
        // Only the subcommands named in args are built, and Micronaut starts only for a command that is a bean
        // (org.ddpm4j.tools.cli): adding a subcommand is still adding its class to the list above.
        try (CommandFactory factory = new CommandFactory(DdpmCommand.class)) {
            CommandLine cmd = LazyCommandTree.build(DdpmCommand.class, factory, args);
            cmd.setExecutionExceptionHandler(CliErrors::handle);
            cmd.setParameterExceptionHandler(CliErrors::handleParameter);
            return cmd.execute(args);
        }
    }
}
