package dev.captioner.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.decode.Caption;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.image.ImageLoader;
import dev.captioner.testutil.Fixtures;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny random-weight ViT-GPT2 export (fixtures/hf, made by make_hf_fixtures.py) captions
 * every fixture image with the tokens PyTorch's greedy and Transformers-rule beam search chose,
 * through both published decoder layouts. The fixture's smallest gap between ranked candidates
 * is 1.2e-4 in log-probability, two orders above float32 differences between ONNX Runtime's and
 * PyTorch's kernels, so any disagreement is a real difference in preprocessing, stepping or search.
 */
class PretrainedCaptionerTest {

    static final Path FIXTURE = Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny");
    static JsonNode expected;

    @BeforeAll
    static void read() throws IOException {
        expected = new ObjectMapper().readTree(FIXTURE.resolveSibling("expected.json").toFile());
    }

    /** The fixture with only the merged decoder, or only the split pair. */
    static Path layout(Path tmp, boolean merged) throws IOException {
        Path dir = Fixtures.copyTree(FIXTURE, tmp.resolve(merged ? "merged" : "split"));
        if (merged) {
            Files.delete(dir.resolve("onnx/decoder_model.onnx"));
            Files.delete(dir.resolve("onnx/decoder_with_past_model.onnx"));
        } else {
            Files.delete(dir.resolve("onnx/decoder_model_merged.onnx"));
        }
        return dir;
    }

    @ParameterizedTest(name = "merged {0}")
    @ValueSource(booleans = {true, false})
    void greedyAndBeamGiveTheCaptionsPyTorchChose(boolean merged, @TempDir Path tmp) throws IOException {
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) expected::fields) {
            Path file = e.getKey().startsWith("shared/") ? Fixtures.SHARED.resolve(e.getKey().substring(7))
                    : Path.of("src/test/resources/fixtures").resolve(e.getKey());
            if (Files.exists(file)) {
                names.add(e.getKey());
                files.add(file);
            }
        }
        assertThat(names).hasSizeGreaterThanOrEqualTo(4);
        try (PretrainedCaptioner c = PretrainedCaptioner.open(layout(tmp, merged), null)) {
            List<float[]> inputs = new ArrayList<>();
            for (Path f : files) {
                inputs.add(c.prepare(ImageLoader.withDefaults().load(f)));
            }
            float[][] states = c.encode(inputs);
            List<List<Caption>> greedy = c.caption(states, DecodeSpec.greedy());
            List<List<Caption>> beam = c.caption(states, DecodeSpec.beam(3));
            for (int i = 0; i < names.size(); i++) {
                JsonNode want = expected.get(names.get(i));
                assertThat(greedy.get(i)).hasSize(1);
                assertThat(greedy.get(i).get(0).text()).as(names.get(i) + " greedy").isEqualTo(want.get("greedy_text").asText());
                assertThat(greedy.get(i).get(0).finished()).as(names.get(i) + " greedy ended")
                        .isEqualTo(ends(want.get("greedy")));
                assertThat(beam.get(i).get(0).text()).as(names.get(i) + " beam 3").isEqualTo(want.get("beam3_text").asText());
                assertThat(greedy.get(i).get(0).tokens()).as(names.get(i) + " greedy ids").containsExactly(ids(want.get("greedy")));
                assertThat(beam.get(i).get(0).tokens()).as(names.get(i) + " beam 3 ids").containsExactly(ids(want.get("beam3")));
            }
        }
    }

    private static int[] ids(JsonNode ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i).asInt();
        }
        return out;
    }

    private static boolean ends(JsonNode ids) {
        return ids.size() > 1 && ids.get(ids.size() - 1).asInt() == 50256;
    }

    @Test
    void oneImageAloneGetsTheCaptionItGetsInABatch(@TempDir Path tmp) throws IOException {
        try (PretrainedCaptioner c = PretrainedCaptioner.open(layout(tmp, true), null)) {
            float[] a = c.prepare(ImageLoader.withDefaults().load(Path.of("src/test/resources/fixtures/images/rgb_301x199.png")));
            float[] b = c.prepare(ImageLoader.withDefaults().load(Path.of("src/test/resources/fixtures/images/gray_45x33.png")));
            List<List<Caption>> both = c.caption(c.encode(List.of(a, b)), DecodeSpec.beam(3));
            List<List<Caption>> alone = c.caption(c.encode(List.of(b)), DecodeSpec.beam(3));
            assertThat(alone.get(0).get(0).text()).isEqualTo(both.get(1).get(0).text());
        }
    }

    @Test
    void theLengthLimitCountsTheStartToken(@TempDir Path tmp) throws IOException {
        try (PretrainedCaptioner c = PretrainedCaptioner.open(layout(tmp, true), null)) {
            float[] x = c.prepare(ImageLoader.withDefaults().load(Path.of("src/test/resources/fixtures/images/rgb_225x224.png")));
            Caption cut = c.caption(c.encode(List.of(x)), new DecodeSpec(1, 4, 0)).get(0).get(0);
            JsonNode ids = expected.get("images/rgb_225x224.png").get("greedy");
            assumeTrue(ids.size() > 4, "the fixture's greedy caption is longer than 3 tokens");
            assertThat(cut.finished()).isFalse();
            int[] first = {ids.get(0).asInt(), ids.get(1).asInt(), ids.get(2).asInt(), ids.get(3).asInt()};
            assertThat(cut.text()).isEqualTo(c.tokenizer().text(first));
            assertThat(cut.tokens()).containsExactly(first);
        }
    }

    @Test
    void aFolderThatCannotBeUsedIsRefusedInOneLineNamingTheFile(@TempDir Path tmp) throws IOException {
        Path dir = Fixtures.copyTree(FIXTURE, tmp.resolve("m"));
        Files.delete(dir.resolve("onnx/decoder_model_merged.onnx"));
        Files.delete(dir.resolve("onnx/decoder_with_past_model.onnx"));
        assertThatThrownBy(() -> PretrainedCaptioner.open(dir, null)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("decoder_model_merged.onnx: no such file").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> PretrainedCaptioner.open(dir, "quantized")).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("encoder_model_quantized.onnx: no such file");
        assertThatThrownBy(() -> PretrainedCaptioner.open(dir, "fp16")).hasMessageContaining("--variant fp16");
        Fixtures.write(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                .replace("\"n_layer\": 2", "\"n_layer\": 3"));
        Files.copy(FIXTURE.resolve("onnx/decoder_model_merged.onnx"), dir.resolve("onnx/decoder_model_merged.onnx"));
        assertThatThrownBy(() -> PretrainedCaptioner.open(dir, null)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("decoder_model_merged.onnx: its past_key_values name 2 layers, config.json's decoder has 3");
        Fixtures.write(dir.resolve("preprocessor_config.json"), "{\"resample\": 1, \"size\": {\"height\": 224, \"width\": 224}}");
        assertThatThrownBy(() -> PretrainedCaptioner.open(dir, null)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("preprocessor_config.json: field 'resample'");
    }

    @Test
    void aFolderIsRecognisedByItsConfigNotItsName(@TempDir Path tmp) throws IOException {
        assertThat(PretrainedCaptioner.isPretrained(FIXTURE)).isTrue();
        Path other = Fixtures.write(tmp.resolve("vit-gpt2/config.json"), "{\"model_type\": \"gpt2\"}").getParent();
        assertThat(PretrainedCaptioner.isPretrained(other)).isFalse();
        assertThat(PretrainedCaptioner.isPretrained(tmp)).isFalse();
    }
}
