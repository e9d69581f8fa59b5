package dev.captioner.plot;

import java.util.Random;

/** k-means with k-means++ seeding on float vectors; seeded, so the same data gives the same clusters. */
public final class KMeans {

    private KMeans() {}

    /**
     * @param x {@code [N][D]} points
     * @param k clusters
     * @param iterations most Lloyd iterations
     * @param seed seeding randomness
     * @return the cluster of each point
     */
    public static int[] cluster(float[][] x, int k, int iterations, long seed) {
        int n = x.length;
        k = Math.min(k, n);
        int[] labels = new int[n];
        if (k <= 1) {
            return labels;
        }
        double[][] centres = seedCentres(x, k, new Random(seed));
        for (int it = 0; it < iterations; it++) {
            boolean changed = assign(x, centres, labels) || it == 0;
            if (!changed) {
                break;
            }
            recentre(x, labels, centres);
        }
        return labels;
    }

    /** k-means++: each next centre is a point drawn with probability proportional to its squared distance. */
    private static double[][] seedCentres(float[][] x, int k, Random r) {
        int n = x.length;
        double[][] centres = new double[k][];
        centres[0] = toDouble(x[r.nextInt(n)]);
        double[] dist = new double[n];
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                double best = Double.MAX_VALUE;
                for (int p = 0; p < c; p++) {
                    best = Math.min(best, distance(x[i], centres[p]));
                }
                dist[i] = best;
                total += best;
            }
            double pick = r.nextDouble() * total;
            int chosen = n - 1;
            for (int i = 0; i < n; i++) {
                pick -= dist[i];
                if (pick <= 0) {
                    chosen = i;
                    break;
                }
            }
            centres[c] = toDouble(x[chosen]);
        }
        return centres;
    }

    /** @return whether any point changed cluster */
    private static boolean assign(float[][] x, double[][] centres, int[] labels) {
        boolean changed = false;
        for (int i = 0; i < x.length; i++) {
            int best = 0;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < centres.length; c++) {
                double dd = distance(x[i], centres[c]);
                if (dd < bestD) {
                    bestD = dd;
                    best = c;
                }
            }
            if (labels[i] != best) {
                labels[i] = best;
                changed = true;
            }
        }
        return changed;
    }

    /** Moves each non-empty cluster's centre to the mean of its points. */
    private static void recentre(float[][] x, int[] labels, double[][] centres) {
        int k = centres.length;
        int d = x[0].length;
        double[][] sums = new double[k][d];
        int[] counts = new int[k];
        for (int i = 0; i < x.length; i++) {
            counts[labels[i]]++;
            for (int j = 0; j < d; j++) {
                sums[labels[i]][j] += x[i][j];
            }
        }
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                for (int j = 0; j < d; j++) {
                    sums[c][j] /= counts[c];
                }
                centres[c] = sums[c];
            }
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static double distance(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }
}
