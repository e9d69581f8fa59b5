package dev.captioner.plot;

import dev.captioner.data.DatasetStats;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** {@code top_words.png} and {@code caption_lengths.png}. */
public final class WordCharts {

    private WordCharts() {}

    /**
     * @param top words and counts, most frequent first
     * @param file where to write the bar chart
     */
    public static void topWords(List<DatasetStats.WordCount> top, Path file) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (DatasetStats.WordCount w : top) {
            data.addValue(w.count(), "count", w.word());
        }
        JFreeChart chart = ChartFactory.createBarChart("Top " + top.size() + " words in the cleaned captions", "word",
                "occurrences", data, PlotOrientation.VERTICAL, false, false, false);
        Charts.style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        bars(plot, new Color(0x1F77B4));
        CategoryAxis axis = plot.getDomainAxis();
        axis.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        axis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        axis.setMaximumCategoryLabelWidthRatio(2f);
        Charts.png(chart, file, 1400, 620);
    }

    /**
     * @param histogram caption length (tokens with markers) to number of captions
     * @param file where to write the histogram
     */
    public static void lengths(Map<Integer, Integer> histogram, Path file) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        int max = histogram.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = histogram.keySet().stream().mapToInt(Integer::intValue).min().orElse(0);
        for (int len = min; len <= max; len++) {
            data.addValue(histogram.getOrDefault(len, 0), "captions", Integer.valueOf(len));
        }
        JFreeChart chart = ChartFactory.createBarChart("Caption lengths", "tokens per cleaned caption (with startseq and endseq)",
                "captions", data, PlotOrientation.VERTICAL, false, false, false);
        Charts.style(chart);
        bars(chart.getCategoryPlot(), new Color(0x2CA02C));
        Charts.png(chart, file, 1000, 520);
    }

    private static void bars(CategoryPlot plot, Color color) {
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, color);
        r.setItemMargin(0.05);
    }
}
