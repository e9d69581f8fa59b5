package dev.captioner.plot;

import dev.captioner.train.FinetuneRecord;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** {@code finetune.png}: self-critical fine-tuning per epoch, the mean sample reward and the dev CIDEr-D of greedy captions. */
public final class FinetuneChart {

    /** File name inside a fine-tuned model directory. */
    public static final String FILE = "finetune.png";

    private FinetuneChart() {}

    /**
     * @param file where to write the PNG
     * @return a listener for {@code SelfCriticalTrainer.onEpoch} that redraws the chart after every epoch
     */
    public static Consumer<List<FinetuneRecord>> redrawing(Path file) {
        return history -> write(history, file);
    }

    /**
     * @param history the epochs so far, 0 the starting model
     * @param file where to write the PNG
     */
    public static void write(List<FinetuneRecord> history, Path file) {
        XYSeries reward = new XYSeries("mean sample reward");
        XYSeries dev = new XYSeries("dev CIDEr-D (greedy)");
        for (FinetuneRecord e : history) {
            if (Double.isFinite(e.meanReward())) {
                reward.add(e.epoch(), e.meanReward());
            }
            if (Double.isFinite(e.devCider())) {
                dev.add(e.epoch(), e.devCider());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(reward);
        data.addSeries(dev);
        Charts.epochChart("Self-critical fine-tuning", "epoch (0: before)", "score", data, List.of(new Color(0x2CA02C), new Color(0xD62728)), file);
    }
}
