package dev.captioner.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D as the coco-caption toolkit defines it ({@code pycocoevalcap/cider/cider_scorer.py}):
 * TF-IDF vectors of 1- to 4-grams with document frequencies taken over the evaluated set's
 * references, per-order cosine similarity with the hypothesis' weights clipped at the
 * reference's, a Gaussian length penalty (sigma 6) on the difference in bigram counts, the mean
 * over orders and references, times 10.
 */
public final class Cider {

    private static final int N = 4;
    private static final double SIGMA = 6.0;

    private Cider() {}

    /** TF-IDF vector of one sentence, per order. */
    private record Vec(List<Map<String, Double>> weights, double[] norms, int length) {}

    /**
     * @param hypotheses one token list per image
     * @param references reference token lists per image
     * @return the score of each image; the corpus score is their mean
     */
    public static double[] perImage(List<List<String>> hypotheses, List<List<List<String>>> references) {
        Scorer scorer = new Scorer(references);
        double[] scores = new double[hypotheses.size()];
        for (int i = 0; i < hypotheses.size(); i++) {
            scores[i] = scorer.score(hypotheses.get(i), i);
        }
        return scores;
    }

    /**
     * CIDEr-D against a fixed set of references, with the document frequencies of those
     * references computed once and each reference's vector kept: what a reward scores many
     * sampled captions of the same images with. {@link #perImage} is this scorer built on the
     * evaluated set's own references.
     */
    public static final class Scorer {
        private final Map<String, Integer> df = new HashMap<>();
        private final double refLen;
        private final List<List<Vec>> refVectors = new ArrayList<>();

        /** @param references reference token lists per image; they fix the document frequencies */
        public Scorer(List<List<List<String>>> references) {
            for (List<List<String>> refs : references) {
                Set<String> seen = new HashSet<>();
                for (List<String> r : refs) {
                    for (int n = 1; n <= N; n++) {
                        seen.addAll(NGrams.count(r, n).keySet());
                    }
                }
                seen.forEach(g -> df.merge(g, 1, Integer::sum));
            }
            refLen = Math.log(references.size());
            for (List<List<String>> refs : references) {
                refVectors.add(refs.stream().map(r -> vector(r, df, refLen)).toList());
            }
        }

        /** @return how many images it has references for */
        public int images() {
            return refVectors.size();
        }

        /**
         * @param hypothesis a caption's tokens
         * @param image index of the image in the references given
         * @return the caption's CIDEr-D against that image's references
         */
        public double score(List<String> hypothesis, int image) {
            Vec hyp = vector(hypothesis, df, refLen);
            double[] sum = new double[N];
            List<Vec> refs = refVectors.get(image);
            for (Vec ref : refs) {
                double delta = hyp.length() - ref.length();
                for (int n = 0; n < N; n++) {
                    double val = 0;
                    for (Map.Entry<String, Double> e : hyp.weights().get(n).entrySet()) {
                        double refWeight = ref.weights().get(n).getOrDefault(e.getKey(), 0.0);
                        val += Math.min(e.getValue(), refWeight) * refWeight;
                    }
                    if (hyp.norms()[n] != 0 && ref.norms()[n] != 0) {
                        val /= hyp.norms()[n] * ref.norms()[n];
                    }
                    val *= Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
                    sum[n] += val;
                }
            }
            double mean = 0;
            for (double v : sum) {
                mean += v / N;
            }
            return refs.isEmpty() ? 0 : mean / refs.size() * 10.0;
        }
    }

    /**
     * @param hypotheses one token list per image
     * @param references reference token lists per image
     * @return the corpus CIDEr-D
     */
    public static double corpus(List<List<String>> hypotheses, List<List<List<String>>> references) {
        double[] s = perImage(hypotheses, references);
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return s.length == 0 ? 0 : sum / s.length;
    }

    private static Vec vector(List<String> tokens, Map<String, Integer> df, double refLen) {
        List<Map<String, Double>> weights = new ArrayList<>();
        double[] norms = new double[N];
        int length = 0;
        for (int n = 1; n <= N; n++) {
            Map<String, Double> w = new HashMap<>();
            for (Map.Entry<String, Integer> e : NGrams.count(tokens, n).entrySet()) {
                double idf = refLen - Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0)));
                double v = e.getValue() * idf;
                w.put(e.getKey(), v);
                norms[n - 1] += v * v;
                // coco-caption's "length" counts bigrams (its n is the order minus one).
                if (n == 2) {
                    length += e.getValue();
                }
            }
            weights.add(w);
        }
        for (int n = 0; n < N; n++) {
            norms[n] = Math.sqrt(norms[n]);
        }
        return new Vec(weights, norms, length);
    }
}
