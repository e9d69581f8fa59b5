package dev.captioner.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Counting n-grams of token lists. */
final class NGrams {

    private NGrams() {}

    /**
     * @param tokens a sentence
     * @param n the order
     * @return each n-gram (tokens joined by a space) and how often it occurs
     */
    static Map<String, Integer> count(List<String> tokens, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }
}
