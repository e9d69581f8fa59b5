package dev.captioner.plot;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetStats;
import dev.captioner.data.ImageRecord;
import dev.captioner.features.FeatureSet;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The Keras tutorial's exploratory plots: sample images with their captions, the 50 most frequent words,
 * caption lengths, and, given features, a PCA projection coloured by k-means cluster with a few
 * images of each cluster ("similar images").
 */
public final class Explore {

    /** Sample grid. */
    public static final String SAMPLES = "samples.png";
    /** Word frequencies. */
    public static final String TOP_WORDS = "top_words.png";
    /** Length histogram. */
    public static final String LENGTHS = "caption_lengths.png";
    /** PCA scatter. */
    public static final String PCA = "pca_clusters.png";
    /** Images per cluster. */
    public static final String CLUSTERS = "cluster_examples.png";

    private Explore() {}

    /**
     * Draws the plots.
     *
     * @param dataset the data
     * @param cleaning how captions are cleaned for word counts and lengths
     * @param features image features, or null to skip the cluster plots
     * @param clusters k of k-means
     * @param seed choice of sample images and k-means seeding
     * @param out folder to write the PNGs into
     * @return the files written
     */
    public static List<Path> run(Dataset dataset, Cleaning cleaning, FeatureSet features, int clusters, long seed, Path out) {
        if (clusters < 1 || clusters > 20) {
            throw new IllegalArgumentException("clusters must be between 1 and 20, was " + clusters);
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new CaptionerException(out + ": cannot create: " + e.getMessage(), e);
        }
        List<Path> written = new ArrayList<>();
        List<ImageRecord> present = dataset.images().stream().filter(ImageRecord::present).toList();
        List<ImageRecord> shuffled = new ArrayList<>(present);
        Collections.shuffle(shuffled, new Random(seed));

        List<ImageGrid.Cell> cells = new ArrayList<>();
        for (ImageRecord r : shuffled.subList(0, Math.min(8, shuffled.size()))) {
            List<String> lines = new ArrayList<>(List.of("! " + r.name()));
            r.captions().forEach(c -> lines.add("• " + c));
            cells.add(new ImageGrid.Cell(Thumbnails.load(dataset, r), lines));
        }
        ImageGrid.write("Sample images and their captions", cells, 4, 300, out.resolve(SAMPLES));
        written.add(out.resolve(SAMPLES));

        DatasetStats stats = DatasetStats.compute(dataset, cleaning);
        WordCharts.topWords(stats.topWords(), out.resolve(TOP_WORDS));
        written.add(out.resolve(TOP_WORDS));
        Map<Integer, Integer> lengths = new TreeMap<>();
        for (ImageRecord r : dataset.images()) {
            for (String c : r.captions()) {
                lengths.merge(cleaning.tokens(c).size(), 1, Integer::sum);
            }
        }
        WordCharts.lengths(lengths, out.resolve(LENGTHS));
        written.add(out.resolve(LENGTHS));

        if (features != null && features.size() > 0) {
            float[][] vectors = features.pooled();
            double[][] points = Pca.project(vectors, 2, 25, seed);
            int k = Math.min(clusters, features.size());
            int[] labels = KMeans.cluster(vectors, k, 25, seed);
            ClusterChart.write(points, labels, k, out.resolve(PCA));
            written.add(out.resolve(PCA));
            writeClusterExamples(dataset, features, labels, k, seed, out.resolve(CLUSTERS));
            written.add(out.resolve(CLUSTERS));
        }
        return written;
    }

    private static void writeClusterExamples(Dataset dataset, FeatureSet features, int[] labels, int k, long seed, Path file) {
        int perCluster = 4;
        List<List<String>> members = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            members.add(new ArrayList<>());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        for (int i : order) {
            if (members.get(labels[i]).size() < perCluster) {
                members.get(labels[i]).add(features.ids().get(i));
            }
        }
        List<ImageGrid.Cell> cells = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < perCluster; j++) {
                if (j < members.get(c).size()) {
                    ImageRecord r = dataset.image(members.get(c).get(j)).orElse(null);
                    String caption = r == null || r.captions().isEmpty() ? "" : r.captions().get(0);
                    cells.add(new ImageGrid.Cell(r == null ? null : Thumbnails.load(dataset, r),
                            List.of("! cluster " + (c + 1), caption)));
                } else {
                    cells.add(new ImageGrid.Cell(null, List.of("! cluster " + (c + 1), "(no more images)")));
                }
            }
        }
        ImageGrid.write("Similar images: examples of each k-means cluster", cells, perCluster, 240, file);
    }
}
