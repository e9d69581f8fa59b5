package dev.captioner.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code captioner dataset}: groups the dataset tools. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Dataset tools: statistics, the synthetic shapes dataset, downloads.",
        subcommands = {DatasetStatsCommand.class, DatasetSynthCommand.class, DatasetDownloadCommand.class})
public final class DatasetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
