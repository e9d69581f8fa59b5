package dev.captioner.cli;

import dev.captioner.data.SynthSpec;
import dev.captioner.options.TrainingOptions;
import dev.captioner.model.Architecture;
import dev.captioner.options.Checked;
import dev.captioner.pipeline.Demo;
import dev.captioner.pipeline.RunPipeline;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner demo}: the offline main job. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Offline end-to-end demo: synthetic shapes dataset, concepts encoder, caption model, scores and "
                + "report. Nothing to download.")
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--images", defaultValue = "2000", paramLabel = "N", description = "Synthetic images (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--epochs", defaultValue = "20", paramLabel = "N", description = "Caption-model epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--architecture", defaultValue = "transformer", paramLabel = "A",
            converter = TrainingOptions.ArchitectureConverter.class,
            completionCandidates = TrainingOptions.ArchitectureNames.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Architecture architecture;

    @Option(names = "--finetune-epochs", defaultValue = "0", paramLabel = "N",
            description = "After training, fine-tune on CIDEr-D (self-critical) for at most N epochs (default: ${DEFAULT-VALUE}: none).")
    int finetuneEpochs;

    @Override
    public Integer call() throws Exception {
        Demo.Spec d = Demo.Spec.defaults(out);
        long start = System.nanoTime();
        Demo.Spec settings = Checked.of(spec, () -> new Demo.Spec(out, new SynthSpec(images, d.imageSize(), seed),
                d.encoder(), new Demo.Spec.CaptionStage(architecture, epochs, finetuneEpochs)));
        RunPipeline.Result r = new Demo(CommandLog.of(spec)).run(settings);
        Summary.print(spec.commandLine().getOut(), r, 5);
        spec.commandLine().getOut().printf("finished in %.0f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
