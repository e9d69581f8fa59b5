package dev.captioner.cli;

import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
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
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
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
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
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
     * @param ex an error from a command
     * @return a one-line description for the user
     */
    static String describe(Throwable ex) {
        if (ex instanceof CaptionerException || ex instanceof IOException || ex instanceof UncheckedIOException) {
            return oneLine(ex.getMessage());
        }
        if (ex instanceof IllegalArgumentException && ex.getMessage() != null) {
            return oneLine(ex.getMessage());
        }
        if (ex.getCause() instanceof CaptionerException || ex.getCause() instanceof IOException) {
            return describe(ex.getCause());
        }
        return "internal error: " + ex.getClass().getSimpleName()
                + (ex.getMessage() == null ? "" : ": " + oneLine(ex.getMessage()))
                + " (run with --debug for the stack trace)";
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
