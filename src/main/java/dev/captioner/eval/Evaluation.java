package dev.captioner.eval;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.decode.Caption;
import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.features.FeatureSet;
import dev.captioner.hf.PretrainedCaptioner;
import dev.captioner.image.ImageLoader;
import dev.captioner.model.CaptionModel;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Captions a split from its precomputed features and scores the captions. */
public final class Evaluation {

    private static final int BATCH = 32;

    private Evaluation() {}

    /**
     * @param model the caption model
     * @param dataset the data
     * @param features features of (at least) the split's images
     * @param split which split
     * @param options beam, length limit, length penalty
     * @return scores and per-image predictions
     */
    public static Scoring.Result run(CaptionModel model, Dataset dataset, FeatureSet features, Split split,
            DecodeSpec options) {
        List<ImageRecord> images = dataset.images(split);
        if (images.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": the " + split.id() + " split is empty");
        }
        if (features.featureDim() != model.config().featureDim()) {
            throw new CaptionerException("the features are " + features.featureDim() + "-d (" + features.encoder()
                    + "), the model reads " + model.config().featureDim() + "-d " + model.config().encoder().name());
        }
        features.requireAll(images.stream().map(ImageRecord::name).toList(), split.id());
        Map<String, Integer> index = features.index();
        CaptionDecoder decoder = new CaptionDecoder(model);
        Map<String, String> captions = new HashMap<>();
        Map<String, Double> scores = new HashMap<>();
        try (Progress progress = Progress.start("caption " + split.id(), images.size(), "images")) {
            for (int i = 0; i < images.size(); i += BATCH) {
                List<ImageRecord> batch = images.subList(i, Math.min(images.size(), i + BATCH));
                float[][] f = new float[batch.size()][];
                for (int j = 0; j < batch.size(); j++) {
                    f[j] = features.rows().row(index.get(batch.get(j).name()));
                }
                List<List<Caption>> out = decoder.decode(f, options);
                for (int j = 0; j < batch.size(); j++) {
                    Caption c = out.get(j).get(0);
                    captions.put(batch.get(j).name(), c.text());
                    scores.put(batch.get(j).name(), c.score());
                }
                progress.stepBy(batch.size());
            }
        }
        return Scoring.score(images, captions, scores, model.config().cleaning(), options.beam(), split.id());
    }

    /**
     * Captions a split's image files with a pretrained model and scores the captions as a
     * trained model's are: hypotheses and references cleaned alike. An image that cannot be read
     * is named on the log and counted missing; the rest go on.
     *
     * @param captioner a pretrained model
     * @param dataset the data
     * @param split which split
     * @param options beam, length limit, trigram blocking (the model's own settings otherwise)
     * @param cleaning how captions become words for scoring
     * @param loader decodes the files, within its limits
     * @return scores and per-image predictions
     */
    public static Scoring.Result runPretrained(PretrainedCaptioner captioner, Dataset dataset, Split split,
            DecodeSpec options, Cleaning cleaning, ImageLoader loader) {
        List<ImageRecord> images = dataset.images(split);
        if (images.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": the " + split.id() + " split is empty");
        }
        Map<String, String> captions = new HashMap<>();
        Map<String, Double> scores = new HashMap<>();
        try (Progress progress = Progress.start("caption " + split.id(), images.size(), "images")) {
            for (int i = 0; i < images.size(); i += BATCH) {
                List<ImageRecord> batch = new ArrayList<>();
                List<float[]> inputs = new ArrayList<>();
                for (ImageRecord r : images.subList(i, Math.min(images.size(), i + BATCH))) {
                    try (InputStream in = dataset.open(r)) {
                        inputs.add(captioner.prepare(loader.read(in, dataset.describe(r))));
                        batch.add(r);
                    } catch (IOException | RuntimeException e) {
                        // One bad image is skipped (and counted missing); the rest are scored.
                        Progress.defaultLog().println(dataset.describe(r) + ": skipped: " + e.getMessage());
                    }
                }
                if (!inputs.isEmpty()) {
                    List<List<Caption>> out = captioner.caption(captioner.encode(inputs), options);
                    for (int j = 0; j < batch.size(); j++) {
                        captions.put(batch.get(j).name(), out.get(j).get(0).text());
                        scores.put(batch.get(j).name(), out.get(j).get(0).score());
                    }
                }
                progress.stepBy(Math.min(BATCH, images.size() - i));
            }
        }
        return Scoring.score(images, captions, scores, cleaning, options.beam(), split.id());
    }
}
