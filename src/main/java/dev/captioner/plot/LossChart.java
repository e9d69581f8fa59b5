package dev.captioner.plot;

import dev.captioner.model.EpochRecord;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** {@code loss.png}: training and dev loss per epoch. */
public final class LossChart {

    private LossChart() {}

    /**
     * @param file where to write the PNG
     * @return a listener for {@code CaptionTrainer.onEpoch} that redraws the chart after every epoch
     */
    public static Consumer<List<EpochRecord>> redrawing(Path file) {
        return history -> write(history, file);
    }

    /**
     * @param history the epochs so far
     * @param file where to write the PNG
     */
    public static void write(List<EpochRecord> history, Path file) {
        XYSeries train = new XYSeries("train loss");
        XYSeries dev = new XYSeries("dev loss");
        for (EpochRecord e : history) {
            train.add(e.epoch(), e.trainLoss());
            if (Double.isFinite(e.devLoss())) {
                dev.add(e.epoch(), e.devLoss());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        data.addSeries(dev);
        Charts.epochChart("Training curve", "epoch", "next-word loss (cross-entropy)", data, List.of(new Color(0x1F77B4), new Color(0xFF7F0E)), file);
    }
}
