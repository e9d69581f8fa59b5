package dev.captioner.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Corpus scores of a set of generated captions, as {@code metrics.json} holds them.
 *
 * @param bleu1 corpus BLEU-1
 * @param bleu2 corpus BLEU-2
 * @param bleu3 corpus BLEU-3
 * @param bleu4 corpus BLEU-4
 * @param cider CIDEr-D
 * @param rougeL ROUGE-L
 * @param images images scored
 * @param missing images of the split with no prediction (scored as empty captions)
 * @param beam beam width used, or 0 when unknown (scored from a file)
 * @param split the split scored
 * @param habits bad endings, repeated trigrams, distinct captions and mean length of the
 *     generated captions (missing images left out)
 */
@JsonPropertyOrder({"bleu1", "bleu2", "bleu3", "bleu4", "cider", "rouge_l", "images", "missing", "beam", "split",
        "habits"})
public record Metrics(
        @JsonProperty("bleu1") double bleu1,
        @JsonProperty("bleu2") double bleu2,
        @JsonProperty("bleu3") double bleu3,
        @JsonProperty("bleu4") double bleu4,
        @JsonProperty("cider") double cider,
        @JsonProperty("rouge_l") double rougeL,
        @JsonProperty("images") int images,
        @JsonProperty("missing") int missing,
        @JsonProperty("beam") int beam,
        @JsonProperty("split") String split,
        @JsonProperty("habits") CaptionHabits habits) {

    /**
     * Scores cleaned captions.
     *
     * @param hypotheses generated captions as tokens (no markers)
     * @param references reference captions as tokens (no markers), per image
     * @param missing images without a prediction, included in the lists as empty captions
     * @param beam beam width, or 0
     * @param split split name
     * @return the scores
     */
    public static Metrics compute(List<List<String>> hypotheses, List<List<List<String>>> references, int missing,
            int beam, String split) {
        return new Metrics(Bleu.corpus(hypotheses, references, 1), Bleu.corpus(hypotheses, references, 2),
                Bleu.corpus(hypotheses, references, 3), Bleu.corpus(hypotheses, references, 4),
                Cider.corpus(hypotheses, references), RougeL.corpus(hypotheses, references), hypotheses.size(),
                missing, beam, split, CaptionHabits.of(hypotheses));
    }

    /**
     * @param habits habits measured on other captions than those scored (e.g. without the missing ones)
     * @return these scores with those habits
     */
    public Metrics withHabits(CaptionHabits habits) {
        return new Metrics(bleu1, bleu2, bleu3, bleu4, cider, rougeL, images, missing, beam, split, habits);
    }
}
