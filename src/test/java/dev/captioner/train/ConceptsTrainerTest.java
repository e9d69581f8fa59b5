package dev.captioner.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadSpec;
import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.ConceptsConfig;
import dev.captioner.vision.ConceptsEncoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The concepts encoder trains on the one engine: the best dev epoch is kept, and a resumed run is exact. */
class ConceptsTrainerTest {

    @TempDir
    Path tmp;

    private static final ConceptsSpec SPEC = new ConceptsSpec(32, 12, 3, 16, 2e-3f, 16, 5, Cleaning.KERAS_TUTORIAL);

    private static ConceptsTrainer quiet() {
        return new ConceptsTrainer(new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void anInterruptedRunResumesAndEndsExactlyLikeAnUninterruptedOne() throws Exception {
        SyntheticShapes.generate(new SynthSpec(64, 32, 3), tmp.resolve("data"));
        try (Dataset d = DatasetLoader.load(tmp.resolve("data"), LoadSpec.defaults())) {
            Path whole = tmp.resolve("whole");
            ConceptsConfig a = quiet().train(d, SPEC, whole, false);
            Path cut = tmp.resolve("cut");
            assertThatThrownBy(() -> quiet().afterEpoch(e -> {
                if (e == 2) {
                    throw new IllegalStateException("power cut");
                }
            }).train(d, SPEC, cut, false)).hasMessage("power cut");
            assertThat(cut.resolve(ConceptsConfig.FILE)).doesNotExist();
            assertThatThrownBy(() -> quiet().train(d, SPEC, cut, false)).isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("--resume");
            assertThatThrownBy(() -> quiet().train(d, new ConceptsSpec(32, 12, 3, 16, 1e-3f, 16, 5, Cleaning.KERAS_TUTORIAL),
                    cut, true)).isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("encoder.learning_rate 0.002 vs 0.001");
            ConceptsConfig b = quiet().train(d, SPEC, cut, true);

            assertThat(Files.readAllBytes(cut.resolve(ConceptsEncoder.PARAMS)))
                    .isEqualTo(Files.readAllBytes(whole.resolve(ConceptsEncoder.PARAMS)));
            assertThat(b).isEqualTo(a);
            JsonNode history = new ObjectMapper().readTree(whole.resolve(ConceptsObjective.HISTORY).toFile());
            assertThat(new ObjectMapper().readTree(cut.resolve(ConceptsObjective.HISTORY).toFile()).toString()
                    .replaceAll("\"seconds\":[^,}]+", ""))
                    .isEqualTo(history.toString().replaceAll("\"seconds\":[^,}]+", ""));
            // The kept epoch is the best on dev, and the saved score is its.
            double best = Double.NEGATIVE_INFINITY;
            for (JsonNode e : history) {
                best = Math.max(best, e.get("dev_map").asDouble());
            }
            assertThat(history).hasSize(3);
            assertThat(a.devMeanAveragePrecision()).isEqualTo(best);
            assertThat(cut.resolve("training")).doesNotExist();
            assertThatThrownBy(() -> quiet().train(d, SPEC, cut, false)).isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("already holds a concepts encoder");
        }
    }
}
