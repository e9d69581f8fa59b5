package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.ImageLoader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.util.CaptionerException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exported encoders against the framework they came from: two small models with fixed random
 * weights (a CNN with an NCHW grid, a ViT with a CLS token), exported to ONNX and TorchScript by
 * src/test/resources/fixtures/exported/make_exported_fixtures.py (Debian's python3-torch 1.13 and
 * python3-torchvision 0.14), whose expected outputs are PyTorch's for the whole pipeline: Pillow
 * decode, torchvision resize and crop, normalisation, forward. The shared photos are compared
 * when ../shared is there.
 */
class ExportedEncoderTest {

    @TempDir
    static Path dir;

    static JsonNode expected;

    @BeforeAll
    static void copyFixtures() throws Exception {
        for (String f : List.of("cnn.onnx", "cnn.onnx.json", "cnn.pt", "cnn.pt.json", "vit.onnx", "vit.onnx.json", "vit.pt",
                "vit.pt.json", "expected.json")) {
            try (InputStream in = ExportedEncoderTest.class.getResourceAsStream("/fixtures/exported/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    }

    static Path image(String key) {
        if (key.startsWith("shared:")) {
            return Path.of("..", "shared", "photos", key.substring("shared:".length()));
        }
        return Path.of("src/test/resources/fixtures/images", key);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String model : List.of("cnn", "vit")) {
            for (String format : List.of("onnx", "pt")) {
                out.add(Arguments.of(model, format));
            }
        }
        return out.stream();
    }

    private static void assertClose(float[] got, JsonNode want, String what) {
        assertThat(got).as(what + " length").hasSize(want.size());
        double scale = 0;
        for (JsonNode v : want) {
            scale = Math.max(scale, Math.abs(v.asDouble()));
        }
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - want.get(i).asDouble()));
        }
        assertThat(worst / scale).as(what + ": largest difference relative to the largest value").isLessThan(1e-4);
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("cases")
    void pooledAndGridFeaturesEqualPyTorchsForWholeImages(String model, String format) throws Exception {
        Path file = dir.resolve(model + "." + format);
        String scheme = format.equals("onnx") ? "onnx:" : "torchscript:";
        int compared = 0;
        try (ImageEncoder pooled = Encoders.open(scheme + file, null, FeatureKind.POOLED);
                ImageEncoder grid = Encoders.open(scheme + file, null, FeatureKind.GRID)) {
            assertThat(pooled.name()).isEqualTo(scheme + file.toAbsolutePath().normalize());
            assertThat(pooled.weightsSha256()).hasSize(64);
            assertThat(pooled.grid()).isNull();
            assertThat(grid.grid()).isEqualTo(model.equals("cnn") ? new GridShape(12, 16, 16) : new GridShape(4, 4, 24));
            for (Map.Entry<String, JsonNode> e : expected.get(model).properties()) {
                Path path = image(e.getKey());
                if (!Files.exists(path)) {
                    continue; // a shared photo, and ../shared is not here
                }
                RgbImage img = ImageLoader.withDefaults().load(path);
                // Two images in one batch: rows must not mix.
                float[][] p = pooled.encode(List.of(pooled.prepare(img), pooled.prepare(img)));
                assertClose(p[0], e.getValue().get("pooled"), model + "." + format + " pooled " + e.getKey());
                // The same image twice: equal up to the kernels' per-row summation order (MKL's
                // AVX2 path gives rows of one batch different last bits), far from another image's.
                dev.captioner.testutil.Tolerance.assertClose(p[1], p[0], 1e-5, model + "." + format + " second row");
                assertClose(grid.encode(img), e.getValue().get("grid"), model + "." + format + " grid " + e.getKey());
                compared++;
            }
        }
        assertThat(compared).isGreaterThanOrEqualTo(3);
    }

    private static Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void aBadFileOrCardIsOneLineNamingWhatIsWrong() throws Exception {
        Path card = dir.resolve("cnn.onnx.json");
        String json = Files.readString(card);
        // Not a model at all, a truncated one, and a missing one.
        Path png = dir.resolve("picture.onnx");
        Files.copy(image("rgb_37x23.png"), png);
        Files.copy(card, dir.resolve("picture.onnx.json"));
        assertThatThrownBy(() -> Encoders.open("onnx:" + png, null)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("picture.onnx: not an ONNX model");
        Path cut = dir.resolve("cut.onnx");
        byte[] whole = Files.readAllBytes(dir.resolve("vit.onnx"));
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        Files.copy(dir.resolve("vit.onnx.json"), dir.resolve("cut.onnx.json"));
        assertThatThrownBy(() -> Encoders.open("onnx:" + cut, null)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("cut.onnx: cannot load the onnx model")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
        assertThatThrownBy(() -> Encoders.open("onnx:" + dir.resolve("absent.onnx"), null))
                .hasMessageContaining("absent.onnx");
        // A TorchScript file that is a zip but not a module; an ONNX file named as TorchScript.
        Path zip = dir.resolve("notes.pt");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new java.util.zip.ZipEntry("notes.txt"));
            z.write(new byte[] {1, 2, 3});
        }
        Files.copy(dir.resolve("cnn.pt.json"), dir.resolve("notes.pt.json"));
        assertThatThrownBy(() -> Encoders.open("torchscript:" + zip, null)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("notes.pt: cannot load the torchscript model");
        assertThatThrownBy(() -> Encoders.open("torchscript:" + dir.resolve("cnn.onnx"), null))
                .hasMessageContaining("not a TorchScript file");
        // Cards that disagree with the model, or are malformed.
        Map<String, String> wrong = Map.of(
                "\"name\": \"pixels\"", "field 'input.name' is 'images', but the model's inputs are [pixels]",
                "\"height\": 48", "does not run on a 64x40 image as the card's field 'input' says",
                "\"pooled\": \"pooled\"", "field 'outputs.pooled' names output 'nope'",
                "\"grid_layout\": \"nchw\"", "do not fit the grid output of shape [1, 16, 12, 16]",
                "\"resize\": \"squash\"", "field 'resize' must be one of");
        Map<String, String> replacement = Map.of("\"name\": \"pixels\"", "\"name\": \"images\"", "\"height\": 48",
                "\"height\": 40", "\"pooled\": \"pooled\"", "\"pooled\": \"nope\"", "\"grid_layout\": \"nchw\"",
                "\"grid_layout\": \"tokens\", \"grid_height\": 2, \"grid_width\": 2", "\"resize\": \"squash\"",
                "\"resize\": \"stretch\"");
        for (Map.Entry<String, String> w : wrong.entrySet()) {
            assertThat(json).contains(w.getKey());
            Path bad = write("bad.json", json.replace(w.getKey(), replacement.get(w.getKey())));
            assertThatThrownBy(() -> Encoders.open("onnx:" + dir.resolve("cnn.onnx"), null, EncoderCard.read(bad),
                    FeatureKind.GRID, null)).as(w.getKey()).isInstanceOf(CaptionerException.class)
                    .hasMessageContaining(w.getValue());
        }
        Path extra = write("extra.json", json.replace("\"scale\"", "\"colour\": 1, \"scale\""));
        assertThatThrownBy(() -> EncoderCard.read(extra)).hasMessageContaining("field 'colour' is not part of an encoder card");
        // A model without its card beside it (and none named): the message says where it was looked for.
        Files.copy(dir.resolve("cnn.onnx"), dir.resolve("lonely.onnx"));
        assertThatThrownBy(() -> Encoders.open("onnx:" + dir.resolve("lonely.onnx"), null))
                .hasMessageContaining("lonely.onnx.json: no such encoder card").hasMessageContaining("--encoder-card");
    }

    /**
     * The reduced-scale decode changed 22 % of captions for a real int8 MobileNetV2 (bench decode
     * --agreement): an exported encoder reads every pixel unless its card opts in.
     */
    @Test
    void anExportedEncoderDecodesEveryPixelUnlessItsCardSaysFastDecode() throws Exception {
        String json = Files.readString(dir.resolve("cnn.onnx.json"));
        EncoderCard exact = EncoderCard.parse(json, "the fixture's card");
        assertThat(exact.decodeScale().factor(4032, 3024)).isEqualTo(1);
        // Recorded cards stay as they were: a feature file's key does not change.
        assertThat(exact.toJson()).doesNotContain("fast_decode");
        try (ImageEncoder enc = Encoders.open("onnx:" + dir.resolve("cnn.onnx"), null)) {
            assertThat(enc.decodeScale().factor(4032, 3024)).isEqualTo(1);
        }
        EncoderCard fast = EncoderCard.parse(json.replace("\"scale\"", "\"fast_decode\": true, \"scale\""), "a card");
        assertThat(fast.decodeScale().factor(4032, 3024)).isGreaterThan(1);
        assertThat(fast.decodeScale().factor(64, 48)).isEqualTo(1);
        assertThat(fast.toJson()).contains("\"fast_decode\":true");
    }
}
