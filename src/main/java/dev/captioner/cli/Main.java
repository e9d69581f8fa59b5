package dev.captioner.cli;

import dev.captioner.util.CommandLineErrors;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.NativeAllocator;
import dev.captioner.util.Progress;
import dev.captioner.util.WriterOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

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
        NativeAllocator.tune();
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
        // The command line owns its process: each stage shares the cores among its workers.
        EngineThreads.manage();
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
        return CommandLineErrors.install(new CommandLine(new CaptionerCommand()));
    }

    /**
     * @param ex an error from a command
     * @return a one-line description for the user
     * @see CommandLineErrors#describe(Throwable)
     */
    static String describe(Throwable ex) {
        return CommandLineErrors.describe(ex);
    }
}
