package dev.captioner.plot;

import java.util.Random;

/**
 * The first principal components of a feature matrix by block power iteration on the centred
 * data (never forming the D×D covariance): for 8,091 × 4,096 VGG16 features and two components
 * each iteration is two passes over the data, and a few dozen iterations converge.
 */
public final class Pca {

    private Pca() {}

    /**
     * @param x {@code [N][D]} rows
     * @param k components
     * @param iterations power iterations
     * @param seed start vectors' seed
     * @return {@code [N][k]} projections on the first k components
     */
    public static double[][] project(float[][] x, int k, int iterations, long seed) {
        int n = x.length;
        int d = n == 0 ? 0 : x[0].length;
        double[] mean = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= Math.max(1, n);
        }
        Random r = new Random(seed);
        double[][] v = new double[k][d];
        for (double[] c : v) {
            for (int j = 0; j < d; j++) {
                c[j] = r.nextGaussian();
            }
        }
        orthonormalize(v);
        double[][] scores = new double[n][k];
        for (int it = 0; it < iterations; it++) {
            scores = scores(x, mean, v);
            double[][] next = new double[k][d];
            for (int i = 0; i < n; i++) {
                float[] row = x[i];
                for (int c = 0; c < k; c++) {
                    double s = scores[i][c];
                    double[] nc = next[c];
                    for (int j = 0; j < d; j++) {
                        nc[j] += (row[j] - mean[j]) * s;
                    }
                }
            }
            orthonormalize(next);
            v = next;
        }
        return scores(x, mean, v);
    }

    private static double[][] scores(float[][] x, double[] mean, double[][] v) {
        double[][] s = new double[x.length][v.length];
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < v.length; c++) {
                double dot = 0;
                double[] vc = v[c];
                float[] row = x[i];
                for (int j = 0; j < vc.length; j++) {
                    dot += (row[j] - mean[j]) * vc[j];
                }
                s[i][c] = dot;
            }
        }
        return s;
    }

    /** Gram-Schmidt, in place. */
    private static void orthonormalize(double[][] v) {
        for (int c = 0; c < v.length; c++) {
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int j = 0; j < v[c].length; j++) {
                    dot += v[c][j] * v[p][j];
                }
                for (int j = 0; j < v[c].length; j++) {
                    v[c][j] -= dot * v[p][j];
                }
            }
            double norm = 0;
            for (double e : v[c]) {
                norm += e * e;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < v[c].length; j++) {
                v[c][j] = norm == 0 ? 0 : v[c][j] / norm;
            }
        }
    }
}
