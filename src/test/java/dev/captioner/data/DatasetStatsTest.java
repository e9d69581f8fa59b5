package dev.captioner.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.data.DatasetStats.WordCount;
import dev.captioner.testutil.Fixtures;
import dev.captioner.testutil.Tolerance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetStatsTest {

    /*
     * The fixture's answers, worked by hand (keras-tutorial cleaning):
     *   "A dog runs ."                          -> startseq dog runs endseq                      4
     *   "A brown dog is running on the grass ." -> startseq brown dog is running on the grass endseq 9
     *   "Two kids play in a t-shirt ."          -> startseq two kids play in tshirt endseq       7
     *   "Kids play ."                           -> startseq kids play endseq                     4
     *   "A man , 2 dogs ."                      -> startseq man dogs endseq                      4
     *   "The man sits ."                        -> startseq the man sits endseq                  5
     *   "A phantom caption ."                   -> startseq phantom caption endseq               4
     * 37 tokens over 7 captions; 18 distinct words; the train split (a.jpg) has 8 words.
     */
    @Test
    void statsOfAFixtureWithKnownAnswers(@TempDir Path tmp) throws Exception {
        DatasetStats s;
        try (Dataset d = DatasetLoader.load(Fixtures.flickr8k(tmp), LoadSpec.defaults())) {
            s = DatasetStats.compute(d, Cleaning.KERAS_TUTORIAL);
        }
        assertThat(s.images()).isEqualTo(4);
        assertThat(s.imagesMissing()).isEqualTo(1);
        assertThat(s.captions()).isEqualTo(7);
        assertThat(s.skippedLines()).isZero();
        assertThat(s.splits()).containsExactly(java.util.Map.entry("train", 1), java.util.Map.entry("dev", 1),
                java.util.Map.entry("test", 1));
        assertThat(s.words()).isEqualTo(18);
        assertThat(s.vocabularySize()).isEqualTo(21);
        assertThat(s.trainVocabularySize()).isEqualTo(11);
        assertThat(s.maxLength()).isEqualTo(9);
        assertThat(s.meanLength()).isCloseTo(37.0 / 7, Tolerance.relative(37.0 / 7, Tolerance.doubleSums(8)));
        assertThat(s.topWords()).startsWith(new WordCount("dog", 2), new WordCount("the", 2), new WordCount("kids", 2),
                new WordCount("play", 2), new WordCount("man", 2), new WordCount("runs", 1), new WordCount("brown", 1));
        assertThat(s.topWords()).hasSize(18);
    }

    @Test
    void keepShortCountsOneLetterWords(@TempDir Path tmp) throws Exception {
        try (Dataset d = DatasetLoader.load(Fixtures.flickr8k(tmp), LoadSpec.defaults())) {
            DatasetStats s = DatasetStats.compute(d, Cleaning.KEEP_SHORT);
            // "a" appears in 5 of the 7 captions, which makes it the most frequent word.
            assertThat(s.topWords().get(0)).isEqualTo(new WordCount("a", 5));
            assertThat(s.maxLength()).isEqualTo(10);
        }
    }

    @Test
    void jsonHasExactlyTheDocumentedKeys(@TempDir Path tmp) throws Exception {
        DatasetStats s;
        try (Dataset d = DatasetLoader.load(Fixtures.flickr8k(tmp), LoadSpec.defaults())) {
            s = DatasetStats.compute(d, Cleaning.KERAS_TUTORIAL);
        }
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(s));
        assertThat(json.fieldNames()).toIterable().containsExactly("images", "images_missing", "captions",
                "skipped_lines", "splits", "words", "vocabulary_size", "train_vocabulary_size", "max_length",
                "mean_length", "top_words");
        assertThat(json.get("top_words").get(0).toString()).isEqualTo("[\"dog\",2]");
    }

    /*
     * Expected numbers for the shared slice come from an independent Python computation over the
     * same token file (re.sub('[^a-z\s]', '', caption.lower()), words longer than one letter,
     * startseq/endseq, len(set(tokens)) + 1), run once with Debian's python3.
     */
    @Test
    void sharedFlickr8kSlice() throws Exception {
        Path mini = Fixtures.SHARED.resolve("data/flickr8k-mini");
        assumeThat(Files.isDirectory(mini)).as("shared Flickr8k slice present").isTrue();
        try (Dataset d = DatasetLoader.load(mini, LoadSpec.defaults())) {
            assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR8K);
            DatasetStats s = DatasetStats.compute(d, Cleaning.KERAS_TUTORIAL);
            assertThat(s.images()).isEqualTo(25);
            assertThat(s.imagesMissing()).isEqualTo(1);
            assertThat(s.captions()).isEqualTo(125);
            assertThat(s.splits().values()).containsExactly(8, 8, 8);
            assertThat(s.vocabularySize()).isEqualTo(385);
            assertThat(s.trainVocabularySize()).isEqualTo(163);
            assertThat(s.maxLength()).isEqualTo(23);
            assertThat(s.meanLength()).isCloseTo(11.784, Tolerance.relative(11.784, Tolerance.doubleSums(125)));
            assertThat(s.topWords().subList(0, 3)).isEqualTo(List.of(new WordCount("the", 52),
                    new WordCount("in", 50), new WordCount("is", 40)));
            assertThat(d.images(Split.TRAIN)).allMatch(ImageRecord::present);
        }
        // The Kaggle copy of the same captions lacks the phantom id.
        try (Dataset d = DatasetLoader.load(mini, LoadSpec.defaults().withFormat(DatasetFormat.FLICKR8K_KAGGLE))) {
            DatasetStats s = DatasetStats.compute(d, Cleaning.KERAS_TUTORIAL);
            assertThat(s.images()).isEqualTo(24);
            assertThat(s.captions()).isEqualTo(120);
            assertThat(s.imagesMissing()).isZero();
        }
    }
}
