package dev.captioner.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One line of {@code predictions.jsonl}.
 *
 * @param image image name
 * @param caption generated caption
 * @param references the image's reference captions, as written in the dataset
 * @param bleu4 sentence-level BLEU-4 (NLTK's smoothing method 1) on cleaned tokens
 * @param score the caption's decoding score (log-probability)
 */
@JsonPropertyOrder({"image", "caption", "references", "bleu4", "score"})
public record Prediction(
        @JsonProperty("image") String image,
        @JsonProperty("caption") String caption,
        @JsonProperty("references") List<String> references,
        @JsonProperty("bleu4") double bleu4,
        @JsonProperty("score") double score) {}
