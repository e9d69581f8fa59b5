package dev.captioner.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU exactly as NLTK's {@code corpus_bleu} and {@code sentence_bleu} compute it: modified
 * n-gram precisions summed over the corpus (clipped by the most any one reference has), a brevity
 * penalty against the closest reference length (ties to the shorter), uniform weights 1/n. With no
 * smoothing, a zero precision for some order contributes NLTK's {@code sys.float_info.min} (so the
 * score is practically but not exactly zero), and no unigram match gives exactly 0.
 */
public final class Bleu {

    private Bleu() {}

    /**
     * Corpus BLEU-n with weights 1/n and no smoothing.
     *
     * @param hypotheses one token list per image
     * @param references the reference token lists of each image
     * @param n highest n-gram order (1 to 4)
     * @return the score in [0, 1]
     */
    public static double corpus(List<List<String>> hypotheses, List<List<List<String>>> references, int n) {
        long[] numerators = new long[n];
        long[] denominators = new long[n];
        long hypLength = 0;
        long refLength = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> hyp = hypotheses.get(i);
            List<List<String>> refs = references.get(i);
            for (int k = 1; k <= n; k++) {
                long[] nd = modifiedPrecision(hyp, refs, k);
                numerators[k - 1] += nd[0];
                denominators[k - 1] += nd[1];
            }
            hypLength += hyp.size();
            refLength += closestRefLength(hyp.size(), refs);
        }
        return combine(numerators, denominators, hypLength, refLength, n, false);
    }

    /**
     * Sentence BLEU-n with NLTK's {@code SmoothingFunction().method1} (epsilon 0.1 added to
     * zero numerators), as reported per image.
     *
     * @param hypothesis tokens
     * @param references reference token lists
     * @param n highest order
     * @return the score
     */
    public static double sentenceSmoothed(List<String> hypothesis, List<List<String>> references, int n) {
        long[] numerators = new long[n];
        long[] denominators = new long[n];
        for (int k = 1; k <= n; k++) {
            long[] nd = modifiedPrecision(hypothesis, references, k);
            numerators[k - 1] = nd[0];
            denominators[k - 1] = nd[1];
        }
        return combine(numerators, denominators, hypothesis.size(), closestRefLength(hypothesis.size(), references), n,
                true);
    }

    private static double combine(long[] num, long[] den, long hypLength, long refLength, int n, boolean method1) {
        // NLTK: no matching unigrams means a score of 0, whatever the smoothing.
        if (num[0] == 0) {
            return 0.0;
        }
        double bp = brevityPenalty(refLength, hypLength);
        double sum = 0;
        for (int k = 0; k < n; k++) {
            double p;
            if (num[k] != 0) {
                p = (double) num[k] / den[k];
            } else if (method1) {
                p = 0.1 / den[k];
            } else {
                p = Double.MIN_NORMAL; // Python's sys.float_info.min
            }
            sum += Math.log(p) / n;
        }
        return bp * Math.exp(sum);
    }

    /** @return clipped matches and total n-grams of the hypothesis */
    private static long[] modifiedPrecision(List<String> hyp, List<List<String>> refs, int n) {
        Map<String, Integer> counts = NGrams.count(hyp, n);
        Map<String, Integer> maxRef = new HashMap<>();
        for (List<String> ref : refs) {
            NGrams.count(ref, n).forEach((g, c) -> maxRef.merge(g, c, Math::max));
        }
        long clipped = 0;
        long total = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            clipped += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
            total += e.getValue();
        }
        // NLTK keeps the denominator at least 1.
        return new long[] {clipped, Math.max(1, total)};
    }

    private static long closestRefLength(int hypLength, List<List<String>> refs) {
        long best = -1;
        long bestDiff = Long.MAX_VALUE;
        for (List<String> r : refs) {
            long diff = Math.abs(r.size() - hypLength);
            if (diff < bestDiff || diff == bestDiff && r.size() < best) {
                best = r.size();
                bestDiff = diff;
            }
        }
        return Math.max(best, 0);
    }

    private static double brevityPenalty(long refLength, long hypLength) {
        if (hypLength > refLength) {
            return 1.0;
        }
        if (hypLength == 0) {
            return 0.0;
        }
        return Math.exp(1.0 - (double) refLength / hypLength);
    }
}
