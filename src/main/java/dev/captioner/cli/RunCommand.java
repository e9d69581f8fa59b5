package dev.captioner.cli;

import dev.captioner.options.TrainingOptions;
import dev.captioner.options.DataOptions;
import dev.captioner.options.BeamWidth;
import dev.captioner.train.FinetuneConfig;
import dev.captioner.options.EncoderChoice;
import dev.captioner.options.Checked;
import dev.captioner.pipeline.RunPipeline;
import dev.captioner.pipeline.RunSpec;
import dev.captioner.vision.FeatureKind;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code captioner run}: the Keras tutorial's whole pipeline in one command. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline: stats, features, explore, train, evaluate (greedy and beam), report. "
                + "Re-running skips stages that are up to date and resumes interrupted ones.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    EncoderChoice encoder;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder.")
    Path out;

    @Mixin
    TrainingOptions training;

    @Mixin
    BeamWidth beam;

    @Option(names = "--clusters", defaultValue = "8", paramLabel = "K", description = "Clusters in the explore plots (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Images per encoder call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--finetune-epochs", defaultValue = "0", paramLabel = "N",
            description = "After training, fine-tune on CIDEr-D (self-critical, 'captioner finetune' defaults) for at "
                    + "most N epochs into model-finetuned/, evaluated beside the model (default: ${DEFAULT-VALUE}: none).")
    int finetuneEpochs;

    @Override
    public Integer call() throws Exception {
        if (encoder.grid() && !training.architecture().reads(FeatureKind.GRID)) {
            throw new ParameterException(spec.commandLine(), "--grid: a " + training.architecture()
                    + " model reads pooled vectors, not grids");
        }
        PrintStream log = CommandLog.of(spec);
        RunSpec s = Checked.of(spec, () -> new RunSpec(new RunSpec.Source(data.data(), data.loadOptions(),
                encoder.encoder(), encoder.weightsPath(), encoder.card(), batch), out, training.modelSpec(),
                training.trainConfig(data.seed()), new RunSpec.Report(beam.beamOr(3), clusters), null).withFinetune(finetuneEpochs == 0 ? null
                        : FinetuneConfig.defaults().withEpochs(finetuneEpochs).withSeed(data.seed())));
        // A known dataset's name (e.g. flickr8k) is fetched first, once.
        s = s.withData(data.pathDownloading(log));
        RunPipeline.Result r = new RunPipeline(log).run(s);
        Summary.print(spec.commandLine().getOut(), r, 0);
        return 0;
    }
}
