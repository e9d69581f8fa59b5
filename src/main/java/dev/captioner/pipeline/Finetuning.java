package dev.captioner.pipeline;

import dev.captioner.data.Dataset;
import dev.captioner.eval.ReferenceRewards;
import dev.captioner.features.FeatureSet;
import dev.captioner.train.FinetuneConfig;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.ModelDirectory;
import dev.captioner.train.SelfCriticalTrainer;
import dev.captioner.plot.FinetuneChart;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Self-critical fine-tuning of a trained model, wired up: the rewards from the dataset's references
 * ({@link ReferenceRewards}), the trainer, and {@code finetune.png} redrawn after every epoch.
 * What {@code captioner finetune}, {@code run --finetune-epochs} and the tests call.
 */
public final class Finetuning {

    private Finetuning() {}

    /**
     * @param source a trained model directory
     * @param dataset the dataset it was trained on, with the same split
     * @param features features of the train and dev images
     * @param out the fine-tuned model directory to write
     * @param settings the fine-tuning settings
     * @param resume continue the unfinished run in {@code out}
     * @param log where progress goes
     * @return the history
     */
    public static SelfCriticalTrainer.Result run(Path source, Dataset dataset, FeatureSet features, Path out,
            FinetuneConfig settings, boolean resume, PrintStream log) {
        ModelDirectory from = new ModelDirectory(source);
        ModelConfig config = from.config();
        ReferenceRewards rewards = new ReferenceRewards(dataset, config.cleaning(), from.vocabulary(config),
                settings.reward());
        Path chart = out.resolve(FinetuneChart.FILE);
        SelfCriticalTrainer.Result r = new SelfCriticalTrainer(log).onEpoch(FinetuneChart.redrawing(chart))
                .finetune(source, dataset, features, out, settings, rewards, resume);
        FinetuneChart.write(r.history(), chart);
        return r;
    }
}
