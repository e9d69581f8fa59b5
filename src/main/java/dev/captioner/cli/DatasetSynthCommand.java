package dev.captioner.cli;

import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.options.Checked;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner dataset synth}: writes the built-in synthetic shapes dataset. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write the synthetic shapes dataset in the official Flickr8k layout.")
public final class DatasetSynthCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the dataset into.")
    Path out;

    @Option(names = "--images", defaultValue = "2000", paramLabel = "N", description = "Number of images (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--size", defaultValue = "96", paramLabel = "PX", description = "Image width and height (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        SynthSpec config = Checked.of(spec, () -> new SynthSpec(images, size, seed));
        long start = System.nanoTime();
        int n = SyntheticShapes.generate(config, out);
        spec.commandLine().getOut().printf("wrote %d images of %d px to %s in %.1f s%n", n, size, out,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
