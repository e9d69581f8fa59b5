package dev.captioner.eval;

import java.util.List;

/**
 * ROUGE-L as the coco-caption toolkit computes it ({@code pycocoevalcap/rouge/rouge.py}): the
 * longest common subsequence with each reference gives a precision and a recall; the best of
 * each over the references combine into an F-measure with beta 1.2; the corpus score is the mean
 * over images.
 */
public final class RougeL {

    private static final double BETA = 1.2;

    private RougeL() {}

    /**
     * @param hypothesis tokens
     * @param references reference token lists
     * @return the image's ROUGE-L
     */
    public static double score(List<String> hypothesis, List<List<String>> references) {
        // coco-caption splits an empty caption into one empty token.
        int candLength = Math.max(1, hypothesis.size());
        double precMax = 0;
        double recMax = 0;
        for (List<String> ref : references) {
            int lcs = lcs(hypothesis, ref);
            precMax = Math.max(precMax, (double) lcs / candLength);
            recMax = Math.max(recMax, (double) lcs / Math.max(1, ref.size()));
        }
        if (precMax == 0 || recMax == 0) {
            return 0;
        }
        return (1 + BETA * BETA) * precMax * recMax / (recMax + BETA * BETA * precMax);
    }

    /**
     * @param hypotheses one token list per image
     * @param references reference token lists per image
     * @return mean ROUGE-L
     */
    public static double corpus(List<List<String>> hypotheses, List<List<List<String>>> references) {
        double sum = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            sum += score(hypotheses.get(i), references.get(i));
        }
        return hypotheses.isEmpty() ? 0 : sum / hypotheses.size();
    }

    static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }
}
