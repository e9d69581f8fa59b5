package dev.captioner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.data.Vocabulary;
import dev.captioner.util.CaptionerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model directory is checked when it is loaded: every file that lies is named. */
class CaptionModelTest {

    @TempDir
    Path tmp;

    /** Writes a small untrained model whose vocabulary is {@code words}. */
    private Path model(List<String> words) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Vocabulary vocab = Vocabulary.build(words.stream().map(List::of).toList(), 1);
        ModelConfig config = ModelConfig.of(ModelSpec.defaults().withSizes(4, 4).withDropout(0f), vocab.size(), 5,
                new ModelConfig.EncoderInfo("test", 3, 32, "sha", null), null);
        return CaptionModel.writeUntrained(dir, config, vocab);
    }

    @Test
    void aWellFormedModelLoads() throws Exception {
        try (CaptionModel m = CaptionModel.load(model(List.of("startseq", "endseq", "dog")))) {
            assertThat(m.vocabulary().size()).isEqualTo(4);
        }
    }

    @Test
    void aVocabularyWithoutTheMarkersIsRefusedAtLoadNotInsideTheNativeLibrary() throws Exception {
        Path dir = model(List.of("startseq", "dog", "cat"));
        assertThatThrownBy(() -> CaptionModel.load(dir)).isInstanceOf(CaptionerException.class)
                .hasMessage(dir.resolve("vocab.json") + ": field 'words' lacks the marker 'endseq' that every caption "
                        + "starts or ends with; not a caption model's vocabulary");
    }

    @Test
    void nullCountsAndMismatchedSizesAreNamed() throws Exception {
        Path dir = model(List.of("startseq", "endseq", "dog"));
        Path vocab = dir.resolve("vocab.json");
        Files.writeString(vocab, "{\"format\":\"captioner-vocabulary/1\",\"min_count\":1,"
                + "\"words\":[\"startseq\",\"endseq\",\"dog\"],\"counts\":[1,null,1]}");
        assertThatThrownBy(() -> CaptionModel.load(dir)).isInstanceOf(CaptionerException.class)
                .hasMessage(vocab + ": field 'counts' entry 1 must be a count, was null");
        Files.writeString(vocab, "{\"format\":\"captioner-vocabulary/1\",\"min_count\":1,"
                + "\"words\":[\"startseq\",\"endseq\"],\"counts\":[1,1]}");
        assertThatThrownBy(() -> CaptionModel.load(dir)).isInstanceOf(CaptionerException.class)
                .hasMessage(vocab + ": has 3 entries, but field 'vocabulary_size' of config.json says 4");
    }

    @Test
    void missingOrTruncatedParametersAreNamed() throws Exception {
        Path dir = model(List.of("startseq", "endseq", "dog"));
        Path params = dir.resolve(ModelDirectory.PARAMS);
        byte[] whole = Files.readAllBytes(params);
        Files.write(params, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> CaptionModel.load(dir)).isInstanceOf(CaptionerException.class)
                .hasMessageStartingWith(params + ": cannot load model parameters");
        Files.delete(params);
        assertThatThrownBy(() -> CaptionModel.load(dir)).isInstanceOf(CaptionerException.class)
                .hasMessage(params + ": no such file; the model directory is incomplete");
    }
}
