package dev.captioner.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code captioner encoder}: groups the encoder tools. */
@Command(name = "encoder", mixinStandardHelpOptions = true,
        description = "Image encoder tools: train the concepts encoder.",
        subcommands = {EncoderTrainCommand.class})
public final class EncoderCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
