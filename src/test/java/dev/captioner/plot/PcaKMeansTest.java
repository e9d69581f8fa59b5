package dev.captioner.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PcaKMeansTest {

    @Test
    void pcaFindsTheDirectionsOfLargestVariance() {
        // Points spread along (1, 1, 0, 0)/sqrt2 with sd 10 and along (0, 0, 1, 0) with sd 3; noise 0.1.
        Random r = new Random(1);
        float[][] x = new float[2000][4];
        double[] a = new double[2000];
        double[] b = new double[2000];
        for (int i = 0; i < x.length; i++) {
            a[i] = r.nextGaussian() * 10;
            b[i] = r.nextGaussian() * 3;
            x[i][0] = (float) (5 + a[i] / Math.sqrt(2) + r.nextGaussian() * 0.1);
            x[i][1] = (float) (-2 + a[i] / Math.sqrt(2) + r.nextGaussian() * 0.1);
            x[i][2] = (float) (b[i] + r.nextGaussian() * 0.1);
            x[i][3] = (float) (r.nextGaussian() * 0.1);
        }
        double[][] p = Pca.project(x, 2, 50, 7);
        // Up to sign, the projections are the latent coordinates (centred). Not an arithmetic
        // tolerance: the data's noise (0.1 against spreads of 2 and 3) bounds how far from 1 a
        // correlation may be.
        assertThat(Math.abs(correlation(p, 0, a))).isCloseTo(1.0, offset(1e-3));
        assertThat(Math.abs(correlation(p, 1, b))).isCloseTo(1.0, offset(1e-2));
    }

    private static double correlation(double[][] p, int c, double[] v) {
        double mp = 0;
        double mv = 0;
        for (int i = 0; i < v.length; i++) {
            mp += p[i][c] / v.length;
            mv += v[i] / v.length;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < v.length; i++) {
            sxy += (p[i][c] - mp) * (v[i] - mv);
            sxx += (p[i][c] - mp) * (p[i][c] - mp);
            syy += (v[i] - mv) * (v[i] - mv);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    @Test
    void kMeansSeparatesWellSeparatedBlobsAndIsReproducible() {
        Random r = new Random(2);
        float[][] x = new float[300][3];
        int[] truth = new int[300];
        for (int i = 0; i < x.length; i++) {
            truth[i] = i % 3;
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) ((j == truth[i] ? 20 : 0) + r.nextGaussian());
            }
        }
        int[] labels = KMeans.cluster(x, 3, 50, 5);
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < x.length; k++) {
                assertThat(labels[i] == labels[k]).isEqualTo(truth[i] == truth[k]);
            }
        }
        assertThat(KMeans.cluster(x, 3, 50, 5)).containsExactly(labels);
    }
}
