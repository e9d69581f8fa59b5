package dev.captioner.testutil;

import dev.captioner.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs the {@code captioner} command line in-process, as a user would, capturing its output.
 *
 * @param status exit status
 * @param out standard output
 * @param err standard error
 */
public record Cli(int status, String out, String err) {

    /** Runs {@code captioner args...}. */
    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Cli(status, out.toString(), err.toString());
    }
}
