package org.ddpm4j.tools;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Turns failures into one clear line on standard error and an exit code. */
final class CliErrors {

    private CliErrors() {
    }

    static int handle(Exception ex, CommandLine cmd, ParseResult parseResult) {
        Throwable cause = ex;
        if (cause instanceof UncheckedIOException u && u.getCause() != null) {
            cause = u.getCause();
        }
        String message;
        if (cause instanceof NoSuchFileException n) {
            message = "file not found: " + n.getFile();
        } else if (cause instanceof AccessDeniedException a) {
            message = "permission denied: " + a.getFile();
        } else if (cause instanceof FileSystemException fs && fs.getFile() != null) {
            message = fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName());
        } else if (cause instanceof FileNotFoundException f) {
            message = "file not found: " + f.getMessage();
        } else {
            message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        }
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        if (System.getenv("DDPM_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        if (cause instanceof CheckFailedException) {
            return DdpmCommand.EXIT_CHECK_FAILED;
        }
        return cause instanceof Error ? 1 : DdpmCommand.EXIT_BAD_INPUT;
    }

    static int handleParameter(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String command = cmd.getCommandSpec().qualifiedName(); // "ddpm", "ddpm sample", "ddpm bench sample"
        cmd.getErr().println(command + ": " + ex.getMessage());
        cmd.getErr().println("Try '" + command + " --help' for usage.");
        return DdpmCommand.EXIT_BAD_INPUT;
    }
}
