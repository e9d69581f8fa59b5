package dev.captioner.plot;

import dev.captioner.util.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeriesCollection;

/** Shared look and atomic PNG output for captioner's charts. */
public final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /** Applies a clean, legible theme. */
    static void style(JFreeChart chart) {
        StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
        theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        theme.setLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setDomainGridlinePaint(new Color(0xDDDDDD));
        theme.setRangeGridlinePaint(new Color(0xDDDDDD));
        theme.apply(chart);
        if (chart.getPlot() instanceof XYPlot xy) {
            for (int i = 0; i < xy.getSeriesCount(); i++) {
                xy.getRenderer().setSeriesStroke(i, new BasicStroke(2.5f));
            }
        }
    }

    /**
     * Writes a chart as PNG, atomically.
     *
     * @param chart the chart
     * @param file where
     * @param width pixels
     * @param height pixels
     */
    public static void png(JFreeChart chart, Path file, int width, int height) {
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }

    /**
     * A line chart of values per epoch, with integer epochs on the x axis and a y axis fitted to the data.
     *
     * @param title the chart's title
     * @param xLabel the x axis' label
     * @param yLabel the y axis' label
     * @param data one series per line
     * @param colours the series' colours, in order
     * @param file where to write the PNG
     */
    static void epochChart(String title, String xLabel, String yLabel, XYSeriesCollection data,
            List<Color> colours, Path file) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        style(chart);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < colours.size(); i++) {
            renderer.setSeriesPaint(i, colours.get(i));
        }
        plot.setRenderer(renderer);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        png(chart, file, 900, 540);
    }
}
