package dev.captioner.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code captioner weights}: groups the commands for published encoder weights. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "Published encoder weights: download them ahead of time, list what is cached.",
        subcommands = {WeightsDownloadCommand.class, WeightsListCommand.class})
public final class WeightsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
