package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.Captioner;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.data.SynthSpec;
import dev.captioner.decode.Caption;
import dev.captioner.image.ImageLoader;
import dev.captioner.testutil.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pretrained folder goes wherever a model goes: caption, evaluate and the Java API, in either
 * decoder layout, with the token ids and text PyTorch chose.
 */
class PretrainedCommandsTest {

    static final Path FIXTURE = Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny");
    static final Path IMAGES = Path.of("src/test/resources/fixtures/images");

    @ParameterizedTest(name = "merged {0}")
    @ValueSource(booleans = {true, false})
    void captionAndTheJavaApiGiveTheCaptionsPyTorchChose(boolean merged, @TempDir Path tmp) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(FIXTURE.resolveSibling("expected.json").toFile());
        Path dir = dev.captioner.testutil.Fixtures.copyTree(FIXTURE, tmp.resolve("m"));
        for (String f : merged ? List.of("decoder_model.onnx", "decoder_with_past_model.onnx")
                : List.of("decoder_model_merged.onnx")) {
            Files.delete(dir.resolve("onnx").resolve(f));
        }
        List<String> names = List.of("rgb_301x199.png", "gray_45x33.png");
        Cli r = Cli.run("caption", "--model", dir.toString(), "--beam", "3", "--json",
                IMAGES.resolve(names.get(0)).toString(), IMAGES.resolve(names.get(1)).toString());
        assertThat(r.status()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < names.size(); i++) {
            assertThat(json.readTree(lines.get(i)).get("caption").asText())
                    .isEqualTo(expected.get("images/" + names.get(i)).get("beam3_text").asText());
        }
        for (int beam : new int[] {1, 3}) {
            try (Captioner c = Captioner.load(dir, Captioner.Spec.defaults().withBeam(beam))) {
                for (String n : names) {
                    JsonNode want = expected.get("images/" + n);
                    Caption got = c.caption(IMAGES.resolve(n));
                    assertThat(got.tokens()).as(n + " beam " + beam)
                            .containsExactly(ids(want.get(beam == 1 ? "greedy" : "beam3")));
                    assertThat(got.text()).isEqualTo(want.get(beam == 1 ? "greedy_text" : "beam3_text").asText());
                }
            }
        }
    }

    @Test
    void withoutBeamTheFoldersOwnNumBeamsApplies(@TempDir Path tmp) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(FIXTURE.resolveSibling("expected.json").toFile());
        Path dir = dev.captioner.testutil.Fixtures.copyTree(FIXTURE, tmp.resolve("m"));
        Path gen = dir.resolve("generation_config.json");
        Files.writeString(gen, Files.readString(gen).replaceFirst("\\{", "{\"num_beams\": 3,"));
        String image = IMAGES.resolve("rgb_301x199.png").toString();
        Cli own = Cli.run("caption", "--model", dir.toString(), "--json", image);
        assertThat(own.status()).as(own.err()).isZero();
        assertThat(new ObjectMapper().readTree(own.out().strip()).get("caption").asText())
                .isEqualTo(expected.get("images/rgb_301x199.png").get("beam3_text").asText());
        Cli greedy = Cli.run("caption", "--model", dir.toString(), "--beam", "1", "--json", image);
        assertThat(new ObjectMapper().readTree(greedy.out().strip()).get("caption").asText())
                .isEqualTo(expected.get("images/rgb_301x199.png").get("greedy_text").asText());
        assertThat(expected.get("images/rgb_301x199.png").get("greedy_text").asText())
                .isNotEqualTo(expected.get("images/rgb_301x199.png").get("beam3_text").asText());
        // A folder asking for more beams than captioner searches gets the most it does, not an error.
        Files.writeString(gen, Files.readString(gen).replace("\"num_beams\": 3,", "\"num_beams\": 25,"));
        Cli wide = Cli.run("caption", "--model", dir.toString(), "--json", image);
        assertThat(wide.status()).as(wide.err()).isZero();
    }

    @Test
    void maxLengthCutsTheCaptionCountingTheStartToken() throws Exception {
        JsonNode ids = new ObjectMapper().readTree(FIXTURE.resolveSibling("expected.json").toFile())
                .get("images/rgb_225x224.png").get("greedy");
        assertThat(ids.size()).as("the fixture's greedy caption is longer than 3 tokens").isGreaterThan(4);
        Cli r = Cli.run("caption", "--model", FIXTURE.toString(), "--max-length", "4", "--json",
                IMAGES.resolve("rgb_225x224.png").toString());
        assertThat(r.status()).as(r.err()).isZero();
        try (Captioner c = Captioner.load(FIXTURE)) {
            int[] first = {ids.get(0).asInt(), ids.get(1).asInt(), ids.get(2).asInt(), ids.get(3).asInt()};
            assertThat(new ObjectMapper().readTree(r.out().strip()).get("caption").asText())
                    .isEqualTo(c.tokenizer().text(first));
        }
        Cli bad = Cli.run("caption", "--model", FIXTURE.toString(), "--max-length", "1",
                IMAGES.resolve("rgb_225x224.png").toString());
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("max length");
        // The fixture's decoder has 64 positions.
        Cli tooLong = Cli.run("caption", "--model", FIXTURE.toString(), "--max-length", "66",
                IMAGES.resolve("rgb_225x224.png").toString());
        assertThat(tooLong.status()).isEqualTo(1);
        assertThat(tooLong.err().strip()).doesNotContain("\n").contains("--max-length 66")
                .contains("positions for 64 tokens");
        assertThat(Cli.run("caption", "--model", FIXTURE.toString(), "--max-length", "65", "--json",
                IMAGES.resolve("rgb_225x224.png").toString()).status()).isZero();
    }

    @Test
    void blockTrigramsChangesABeamCaptionThatRepeatsOne() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(FIXTURE.resolveSibling("expected.json").toFile());
        String name = "images/rgb_225x224.png";
        int[] beam = ids(expected.get(name).get("beam3"));
        assertThat(repeatsTrigram(beam)).as("the fixture's beam-3 caption repeats a trigram").isTrue();
        Cli r = Cli.run("caption", "--model", FIXTURE.toString(), "--beam", "3", "--block-trigrams", "--json",
                IMAGES.resolve("rgb_225x224.png").toString());
        assertThat(r.status()).as(r.err()).isZero();
        String blocked = new ObjectMapper().readTree(r.out().strip()).get("caption").asText();
        assertThat(blocked).isNotEqualTo(expected.get(name).get("beam3_text").asText());
        try (Captioner c = Captioner.load(FIXTURE, Captioner.Spec.defaults()
                .withDecode(new dev.captioner.decode.DecodeSpec(3, 0, 0, true)))) {
            Caption want = c.caption(IMAGES.resolve("rgb_225x224.png"));
            assertThat(blocked).isEqualTo(want.text());
            assertThat(repeatsTrigram(want.tokens())).isFalse();
        }
    }

    private static int[] ids(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static boolean repeatsTrigram(int[] t) {
        java.util.Set<List<Integer>> seen = new java.util.HashSet<>();
        for (int i = 0; i + 3 <= t.length; i++) {
            if (!seen.add(List.of(t[i], t[i + 1], t[i + 2]))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void askingForAttentionMapsOrAMissingVariantIsRefusedInOneLine(@TempDir Path tmp) {
        Cli r = Cli.run("caption", "--model", FIXTURE.toString(), "--attention", tmp.resolve("a").toString(),
                IMAGES.resolve("rgb_301x199.png").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().strip()).doesNotContain("\n").contains("--attention").contains("pretrained");
        Cli q = Cli.run("caption", "--model", FIXTURE.toString(), "--variant", "quantized",
                IMAGES.resolve("rgb_301x199.png").toString());
        assertThat(q.status()).isEqualTo(1);
        assertThat(q.err()).contains("encoder_model_quantized.onnx: no such file");
        for (List<String> rest : List.of(List.of("caption", IMAGES.resolve("rgb_301x199.png").toString()),
                List.of("evaluate", "--data", tmp.resolve("d").toString(), "--out", tmp.resolve("o").toString()),
                List.of("serve", "--port", "0"))) {
            List<String> args = new java.util.ArrayList<>(List.of(rest.get(0), "--model", FIXTURE.toString(), "--variant",
                    "fp16"));
            args.addAll(rest.subList(1, rest.size()));
            Cli wrong = Cli.run(args.toArray(String[]::new));
            assertThat(wrong.status()).as(args + ": " + wrong.err()).isEqualTo(2);
            assertThat(wrong.err()).as(rest.get(0)).contains("--variant fp16").doesNotContain("internal error");
        }
    }

    @Test
    void evaluateCaptionsTheSplitsImagesAndSkipsABadOne(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("shapes");
        SyntheticShapes.generate(new SynthSpec(24, 32, 5), data);
        List<String> test = Files.readAllLines(data.resolve("Flickr8k_text/Flickr_8k.testImages.txt")).stream()
                .filter(s -> !s.isBlank()).toList();
        assertThat(test.size()).isGreaterThanOrEqualTo(2);
        Files.writeString(data.resolve("Flicker8k_Dataset").resolve(test.get(0)), "not a picture");
        Path out = tmp.resolve("eval");
        Cli r = Cli.run("evaluate", "--model", FIXTURE.toString(), "--data", data.toString(), "--out", out.toString(),
                "--beam", "2");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains(test.get(0)).contains("skipped");
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertThat(m.get("images").asInt()).isEqualTo(test.size());
        assertThat(m.get("missing").asInt()).isEqualTo(1);
        assertThat(Files.readAllLines(out.resolve("predictions.jsonl"))).hasSize(test.size() - 1);

        Cli noFeatures = Cli.run("evaluate", "--model", tmp.resolve("nope").toString(), "--data", data.toString(),
                "--out", out.toString());
        assertThat(noFeatures.status()).isEqualTo(2);
        assertThat(noFeatures.err()).contains("--features is required for a trained model");
    }

    @Test
    void evaluateScoresTheRealFlickr8kSliceLikeAnyModel(@TempDir Path tmp) throws Exception {
        Path mini = dev.captioner.testutil.Fixtures.SHARED.resolve("data/flickr8k-mini");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(mini), "the real Flickr8k slice is absent");
        Path out = tmp.resolve("eval");
        Cli r = Cli.run("evaluate", "--model", FIXTURE.toString(), "--data", mini.toString(), "--split", "dev",
                "--out", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertThat(m.get("images").asInt()).isPositive();
        assertThat(m.get("missing").asInt()).isZero();
        assertThat(m.fieldNames()).toIterable().contains("bleu4", "cider", "rouge_l", "habits");
        assertThat(Files.readAllLines(out.resolve("predictions.jsonl"))).hasSize(m.get("images").asInt());
    }

    @Test
    void theJavaApiLoadsAPretrainedFolderAndDescribesItWithoutPaths() {
        try (Captioner c = Captioner.load(FIXTURE)) {
            Caption one = c.caption(IMAGES.resolve("rgb_301x199.png"));
            List<List<Caption>> batch = c.alternativesOfInputs(List.of(
                    c.prepare(ImageLoader.withDefaults().load(IMAGES.resolve("rgb_301x199.png")))), 1);
            assertThat(batch.get(0).get(0).text()).isEqualTo(one.text());
            assertThat(c.attentionGrid()).isNull();
            assertThat(c.model()).isNull();
            assertThat(c.describe()).containsEntry("architecture", "vision-encoder-decoder")
                    .containsEntry("feature_dim", 8);
            assertThat(c.describe().values().toString()).doesNotContain(FIXTURE.toAbsolutePath().toString())
                    .doesNotContain("src/test");
        }
    }
}
