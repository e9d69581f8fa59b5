package dev.captioner.plot;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** {@code pca_clusters.png}: features projected on two principal components, coloured by cluster. */
public final class ClusterChart {

    /** A colour-blind-friendly palette (Tableau 10). */
    static final Color[] PALETTE = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2),
        new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F),
        new Color(0xBAB0AC)};

    private ClusterChart() {}

    /**
     * @param points {@code [N][2]} projections
     * @param labels cluster of each point
     * @param k clusters
     * @param file where to write the PNG
     */
    public static void write(double[][] points, int[] labels, int k, Path file) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries[] series = new XYSeries[k];
        for (int c = 0; c < k; c++) {
            series[c] = new XYSeries("cluster " + (c + 1));
            data.addSeries(series[c]);
        }
        for (int i = 0; i < points.length; i++) {
            series[labels[i]].add(points[i][0], points[i][1]);
        }
        JFreeChart chart = ChartFactory.createScatterPlot("Image features: PCA to 2-D, k-means clusters",
                "first principal component", "second principal component", data, PlotOrientation.VERTICAL, true, false,
                false);
        Charts.style(chart);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        for (int c = 0; c < k; c++) {
            r.setSeriesPaint(c, PALETTE[c % PALETTE.length]);
            r.setSeriesShape(c, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        plot.setRenderer(r);
        Charts.png(chart, file, 1000, 760);
    }
}
