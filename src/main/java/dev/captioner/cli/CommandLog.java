package dev.captioner.cli;

import dev.captioner.util.WriterOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The stream a command gives the library for its log lines (stages, epochs, skipped images):
 * the command line's error writer, so that {@link Main#run} captures everything a command says.
 */
final class CommandLog {

    private CommandLog() {}

    /**
     * @param spec the running command
     * @return a stream that writes to its error writer, flushed at every line
     */
    static PrintStream of(CommandSpec spec) {
        return new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true, StandardCharsets.UTF_8);
    }
}
