package dev.captioner.cli;

import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import dev.captioner.util.WriterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the {@code captioner} command. Exit status: 0 on success, 1 with a one-line
 * {@code error: ...} for bad input or a failed job, 2 for a wrong command line. Stack traces
 * only with {@code --debug}.
 */
public final class Main {

    private Main() {}

    /**
     * Runs the command line and exits with its status.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        boolean terminal = System.console() != null && !Boolean.getBoolean("captioner.plainProgress");
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), terminal, args));
    }

    /**
     * Runs the command line with the given output streams, without exiting; what tests call.
     *
     * @param out standard output
     * @param err standard error
     * @param args command-line arguments
     * @return the exit status
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, false, args);
    }

    /**
     * @param terminal whether progress may be drawn as bars on the process's terminal; otherwise
     *     it goes to {@code err} as plain lines, with everything else the command says
     */
    private static int run(PrintWriter out, PrintWriter err, boolean terminal, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        PrintStream log = new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
        Progress.Restore progress = Progress.configure(log, terminal);
        try {
            return cl.execute(args);
        } finally {
            progress.close();
            log.flush();
            out.flush();
            err.flush();
        }
    }

    /** @return the configured command tree */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CaptionerCommand());
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
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
    static String describe(Throwable ex) {
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
