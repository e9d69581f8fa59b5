package dev.captioner.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What users of captioning models notice beyond the corpus scores, and what self-critical
 * training is known to change: captions that end on a word that cannot end a sentence ("a man
 * riding a"), captions that repeat a trigram ("a dog and a dog and a dog"), how many different
 * captions a model gives over a set of images, and how long they are.
 *
 * @param badEndings share of captions whose last word is in {@link #BAD_ENDINGS}
 * @param repeatedTrigrams share of captions in which some trigram occurs twice
 * @param distinct distinct captions over captions
 * @param meanLength mean words per caption
 */
public record CaptionHabits(double badEndings, double repeatedTrigrams, double distinct, double meanLength) {

    /**
     * Words a caption should not end on: the list self-critical.pytorch counts its
     * {@code bad_count_rate} with ({@code count_bad} in {@code captioning/utils/eval_utils.py},
     * the same list as {@code captioning/models/AttModel.py}'s, which {@code remove_bad_endings}
     * bans; "the" is in it twice), so the shares compare with what its users report. Not the
     * shorter list of {@code captioning/utils/misc.py}, which only trims decoded text.
     */
    public static final Set<String> BAD_ENDINGS = Set.of("a", "an", "the", "in", "for", "at", "of", "with", "before",
            "after", "on", "upon", "near", "to", "is", "are", "am");

    /**
     * @param captions generated captions as words (no markers); empty ones count as captions
     * @return the shares over those captions (zeros for none)
     */
    public static CaptionHabits of(List<List<String>> captions) {
        if (captions.isEmpty()) {
            return new CaptionHabits(0, 0, 0, 0);
        }
        int bad = 0;
        int repeated = 0;
        long words = 0;
        Set<List<String>> seen = new HashSet<>();
        for (List<String> c : captions) {
            if (!c.isEmpty() && BAD_ENDINGS.contains(c.get(c.size() - 1))) {
                bad++;
            }
            if (repeatsTrigram(c)) {
                repeated++;
            }
            words += c.size();
            seen.add(c);
        }
        double n = captions.size();
        return new CaptionHabits(bad / n, repeated / n, seen.size() / n, words / n);
    }

    /**
     * @param words a caption
     * @return whether some trigram of it occurs more than once
     */
    public static boolean repeatsTrigram(List<String> words) {
        Set<List<String>> trigrams = new HashSet<>();
        for (int i = 0; i + 3 <= words.size(); i++) {
            if (!trigrams.add(words.subList(i, i + 3))) {
                return true;
            }
        }
        return false;
    }
}
