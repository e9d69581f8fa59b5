package dev.captioner.util;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * How captioner's command lines (the {@code captioner} command and the Spark application) report
 * failures: a wrong command line is {@code error: ...} and exit status 2, a failed job or bad input
 * is one line {@code error: ...} and exit status 1, and only {@code --debug} adds a stack trace.
 */
public final class CommandLineErrors {

    private CommandLineErrors() {}

    /**
     * @param cl a command tree
     * @return the same tree, reporting failures as described above
     */
    public static CommandLine install(CommandLine cl) {
        cl.setExecutionExceptionHandler(CommandLineErrors::handleExecutionException);
        cl.setParameterExceptionHandler(CommandLineErrors::handleParameterException);
        return cl;
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("error: " + ex.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
        }
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        err.println("error: " + describe(ex));
        if (debug(parsed)) {
            ex.printStackTrace(err);
        }
        return 1;
    }

    /**
     * Says what went wrong in one line. Errors of input and of jobs ({@link CaptionerException},
     * I/O errors) are the user's to fix and read as such; anything else is a bug in captioner and
     * says so, so that the two are never confused.
     *
     * @param ex an error from a command
     * @return a one-line description for the user
     */
    public static String describe(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        if (ex instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        if (ex instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (ex instanceof FileSystemException e && e.getReason() != null) {
            return e.getFile() + ": " + e.getReason();
        }
        if (ex instanceof CaptionerException || ex instanceof IOException) {
            return oneLine(ex.getMessage());
        }
        if (ex.getCause() instanceof CaptionerException || ex.getCause() instanceof IOException) {
            return describe(ex.getCause());
        }
        return "internal error: " + ex.getClass().getSimpleName()
                + (ex.getMessage() == null ? "" : ": " + oneLine(ex.getMessage()))
                + " (a bug in captioner; run with --debug for the stack trace)";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static boolean debug(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}
