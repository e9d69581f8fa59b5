package dev.captioner.eval;

import dev.captioner.data.Cleaning;
import dev.captioner.data.ImageRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores captions of a split against its references, both cleaned the same way (markers never
 * included). Images without a caption count as empty captions and are reported as missing.
 */
public final class Scoring {

    /**
     * Scores and per-image details.
     *
     * @param metrics corpus scores
     * @param predictions per image, in split order (missing images left out)
     * @param missing names of the split's images without a caption
     */
    public record Result(Metrics metrics, List<Prediction> predictions, List<String> missing) {}

    private Scoring() {}

    /**
     * @param images the split's images
     * @param captions image name to generated caption
     * @param scores image name to decoding score (may be empty)
     * @param cleaning how references and captions are cleaned
     * @param beam beam width, or 0 when unknown
     * @param split split name
     * @return the scores
     */
    public static Result score(List<ImageRecord> images, Map<String, String> captions, Map<String, Double> scores,
            Cleaning cleaning, int beam, String split) {
        List<List<String>> hyps = new ArrayList<>();
        List<List<List<String>>> refs = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<List<String>> written = new ArrayList<>();
        for (ImageRecord r : images) {
            List<List<String>> rs = new ArrayList<>();
            for (String c : r.captions()) {
                rs.add(cleaning.words(c));
            }
            String caption = captions.get(r.name());
            List<String> hyp = caption == null ? List.of() : cleaning.words(caption);
            hyps.add(hyp);
            refs.add(rs);
            if (caption == null) {
                missing.add(r.name());
            } else {
                written.add(hyp);
                predictions.add(new Prediction(r.name(), caption, r.captions(), Bleu.sentenceSmoothed(hyp, rs, 4),
                        scores.getOrDefault(r.name(), Double.NaN)));
            }
        }
        // The habits describe what the model wrote: missing images are left out of them.
        Metrics metrics = Metrics.compute(hyps, refs, missing.size(), beam, split).withHabits(CaptionHabits.of(written));
        return new Result(metrics, predictions, missing);
    }
}
