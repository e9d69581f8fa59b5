package dev.captioner.cli;

import dev.captioner.options.TrainingOptions;
import dev.captioner.options.DataOptions;
import dev.captioner.data.Dataset;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.train.CaptionTrainer;
import dev.captioner.model.ModelDirectory;
import dev.captioner.model.ModelSpec;
import dev.captioner.train.TrainConfig;
import dev.captioner.options.ResumeRun;
import dev.captioner.options.Checked;
import dev.captioner.plot.LossChart;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner train}: trains a caption model on a dataset and its features. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a caption model (merge, init-inject, attention or transformer) on the training split; keep the best epoch on dev.")
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--features", required = true, paramLabel = "FILE.h5", description = "Feature file from 'captioner features'.")
    Path features;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Model directory to write.")
    Path out;

    @Mixin
    TrainingOptions training;

    @Mixin
    ResumeRun resume;

    @Override
    public Integer call() throws Exception {
        ModelSpec model = Checked.of(spec, training::modelSpec);
        TrainConfig train = Checked.of(spec, () -> training.trainConfig(data.seed()));
        FeatureSet set = FeatureStore.read(features);
        Path chart = new ModelDirectory(out).lossChart();
        CaptionTrainer.Result r;
        try (Dataset dataset = data.load()) {
            r = new CaptionTrainer(CommandLog.of(spec)).onEpoch(LossChart.redrawing(chart))
                    .train(dataset, set, out, model, train, resume.resume());
        }
        LossChart.write(r.history(), chart);
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote model to %s: vocabulary %d, best epoch %d of %d "
                + "(dev loss %.4f)%n", out, r.config().vocabularySize(), r.bestEpoch(), r.history().size(),
                r.history().get(r.bestEpoch() - 1).devLoss());
        return 0;
    }
}
