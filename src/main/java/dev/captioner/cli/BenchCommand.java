package dev.captioner.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code captioner bench}: groups the benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: print JSON measurements.",
        subcommands = {BenchFeaturesCommand.class, BenchTrainCommand.class, BenchDecodeCommand.class,
            BenchServeCommand.class, BenchCaptionCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
