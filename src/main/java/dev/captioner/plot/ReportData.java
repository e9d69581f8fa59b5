package dev.captioner.plot;

import dev.captioner.data.DatasetStats;
import dev.captioner.eval.Metrics;
import dev.captioner.eval.Prediction;
import dev.captioner.model.EpochRecord;
import dev.captioner.model.ModelConfig;
import dev.captioner.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the HTML report shows.
 *
 * @param title page title
 * @param datasetLocation where the data was read from
 * @param datasetFormat its layout
 * @param stats dataset statistics
 * @param model the model's configuration
 * @param train training settings
 * @param history per-epoch history
 * @param metrics scores, one entry per decoding (greedy, beam 3)
 * @param predictions greedy predictions of the test images, in split order
 * @param beamCaptions beam-search caption per image (may be empty)
 * @param plots PNG files to show, by heading, in order
 * @param attentionPictures an attention model's pictures of where it looked (empty for other models)
 * @param finetuned scores of the self-critically fine-tuned model, one entry per decoding (empty
 *     without fine-tuning)
 */
public record ReportData(String title, String datasetLocation, String datasetFormat, DatasetStats stats,
        ModelConfig model, TrainConfig train, List<EpochRecord> history, List<Metrics> metrics,
        List<Prediction> predictions, Map<String, String> beamCaptions, Map<String, Path> plots,
        List<Path> attentionPictures, List<Metrics> finetuned) {}
