package dev.captioner.data;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code captioner dataset stats} reports. Lengths count cleaned tokens with both markers;
 * vocabulary sizes are Keras-style (distinct tokens with markers, plus one for padding).
 *
 * @param images distinct image names the captions name
 * @param imagesMissing of those, how many have no image file
 * @param captions caption lines read
 * @param skippedLines malformed lines skipped under {@code --lenient}
 * @param splits images per split
 * @param words distinct cleaned words over all captions, markers excluded
 * @param vocabularySize Keras-style vocabulary size over all captions
 * @param trainVocabularySize the same over the training split's captions
 * @param maxLength most tokens in one cleaned caption, markers included
 * @param meanLength mean tokens per cleaned caption, markers included
 * @param topWords the 50 most frequent words, markers excluded
 */
@JsonPropertyOrder({"images", "images_missing", "captions", "skipped_lines", "splits", "words", "vocabulary_size",
    "train_vocabulary_size", "max_length", "mean_length", "top_words"})
public record DatasetStats(
        @JsonProperty("images") int images,
        @JsonProperty("images_missing") int imagesMissing,
        @JsonProperty("captions") int captions,
        @JsonProperty("skipped_lines") int skippedLines,
        @JsonProperty("splits") Map<String, Integer> splits,
        @JsonProperty("words") int words,
        @JsonProperty("vocabulary_size") int vocabularySize,
        @JsonProperty("train_vocabulary_size") int trainVocabularySize,
        @JsonProperty("max_length") int maxLength,
        @JsonProperty("mean_length") double meanLength,
        @JsonProperty("top_words") List<WordCount> topWords) {

    /** How many words {@link #topWords} lists. */
    public static final int TOP_WORDS = 50;

    /**
     * A word and how often it occurs; written as a {@code [word, count]} pair.
     *
     * @param word the word
     * @param count occurrences over all cleaned captions
     */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"word", "count"})
    public record WordCount(String word, long count) {}

    /**
     * @param dataset a dataset
     * @param cleaning how captions are cleaned
     * @return its statistics
     */
    public static DatasetStats compute(Dataset dataset, Cleaning cleaning) {
        List<List<String>> all = new ArrayList<>();
        List<List<String>> train = new ArrayList<>();
        int missing = 0;
        long tokens = 0;
        int maxLength = 0;
        for (ImageRecord image : dataset.images()) {
            if (!image.present()) {
                missing++;
            }
            for (String raw : image.captions()) {
                List<String> t = cleaning.tokens(raw);
                all.add(t);
                if (image.split() == Split.TRAIN) {
                    train.add(t);
                }
                tokens += t.size();
                maxLength = Math.max(maxLength, t.size());
            }
        }
        Vocabulary vocabulary = Vocabulary.build(all, 1);
        List<WordCount> top = new ArrayList<>();
        Set<String> words = new HashSet<>();
        for (int i = 1; i < vocabulary.size(); i++) {
            String w = vocabulary.word(i);
            if (Cleaning.isMarker(w)) {
                continue;
            }
            words.add(w);
            if (top.size() < TOP_WORDS) {
                top.add(new WordCount(w, vocabulary.count(i)));
            }
        }
        Map<String, Integer> splits = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            splits.put(s.id(), dataset.images(s).size());
        }
        return new DatasetStats(dataset.images().size(), missing, dataset.captionLines(), dataset.skippedLines(),
                splits, words.size(), vocabulary.size(), Vocabulary.build(train, 1).size(), maxLength,
                all.isEmpty() ? 0 : (double) tokens / all.size(), top);
    }
}
