package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.ImageLoader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Fixtures;
import dev.captioner.util.CaptionerException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The encoders against independent NumPy forward passes (fixtures/kerasnet.py, run by
 * fixtures/make_encoder_fixtures.py with Debian's python3-numpy, python3-h5py, python3-pil).
 */
class EncoderFidelityTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    private static JsonNode json(String name) throws Exception {
        try (InputStream in = EncoderFidelityTest.class.getResourceAsStream("/fixtures/encoders/" + name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Path resource(String name, Path dir) throws Exception {
        try (InputStream in = EncoderFidelityTest.class.getResourceAsStream("/fixtures/" + name)) {
            Path p = dir.resolve(Path.of(name).getFileName().toString());
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    /** Largest absolute difference, relative to the largest expected magnitude. */
    static double relativeError(float[] actual, JsonNode expected) {
        assertThat(actual).hasSize(expected.size());
        double maxDiff = 0;
        double scale = 1e-12;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected.get(i).asDouble()));
            scale = Math.max(scale, Math.abs(expected.get(i).asDouble()));
        }
        return maxDiff / scale;
    }

    private float[] tinyFeature(Path weights) throws Exception {
        RgbImage image = ImageLoader.withDefaults().load(resource("images/rgb_301x199.png", tmp));
        try (Vgg16Encoder enc = Vgg16Encoder.load(KerasWeights.read(weights), "sha", TinyVgg16.SIZE)) {
            assertThat(enc.imageSize()).isEqualTo(TinyVgg16.SIZE);
            return enc.encode(image);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tiny_vgg16_keras1.h5,fc2", "tiny_vgg16_keras2.h5,fc2", "tiny_vgg16_keras1_notop.h5,notop",
        "tiny_vgg16_keras2_notop.h5,notop"})
    void vgg16FromFilesWrittenByH5pyMatchesNumpy(String file, String feature) throws Exception {
        float[] f = tinyFeature(resource("encoders/" + file, tmp));
        assertThat(relativeError(f, json("tiny_vgg16_expected.json").get(feature))).isLessThan(TOLERANCE);
    }

    @ParameterizedTest(name = "keras1={0} top={1}")
    @CsvSource({"true,true", "false,true", "true,false", "false,false"})
    void vgg16FromFilesWrittenByTheTestMatchesNumpy(boolean keras1, boolean top) throws Exception {
        Path file = tmp.resolve("written.h5");
        TinyVgg16.write(file, keras1, top);
        KerasWeights w = KerasWeights.read(file);
        assertThat(w.kerasVersion()).isEqualTo(keras1 ? "1" : "2.0.4");
        float[] f = tinyFeature(file);
        assertThat(relativeError(f, json("tiny_vgg16_expected.json").get(top ? "fc2" : "notop"))).isLessThan(TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tiny_vgg16_keras1.h5", "tiny_vgg16_keras2_notop.h5"})
    void vgg16GridIsBlock5Conv3AfterItsReluLocationMajorChannelsLast(String file) throws Exception {
        RgbImage image = ImageLoader.withDefaults().load(resource("images/rgb_301x199.png", tmp));
        try (Vgg16Encoder enc = Vgg16Encoder.load(KerasWeights.read(resource("encoders/" + file, tmp)), "sha",
                TinyVgg16.SIZE)) {
            enc.gridded();
            assertThat(enc.grid()).isEqualTo(new GridShape(4, 4, 16));
            assertThat(enc.kind()).isEqualTo(FeatureKind.GRID);
            float[] grid = enc.encode(image);
            assertThat(grid).hasSize(256);
            assertThat(relativeError(grid, json("tiny_vgg16_expected.json").get("grid"))).isLessThan(TOLERANCE);
        }
    }

    @Test
    void mobileNetGridIsItsLastBlocksMap() throws Exception {
        RgbImage image = ImageLoader.withDefaults().load(resource("images/rgb_301x199.png", tmp));
        Path file = tmp.resolve("mobilenet.h5");
        TinyMobileNet.write(file);
        try (MobileNetEncoder enc = MobileNetEncoder.load(KerasWeights.read(file), "sha", TinyMobileNet.SIZE)) {
            enc.gridded();
            assertThat(enc.grid()).isEqualTo(new GridShape(2, 2, 32));
            float[] grid = enc.encode(image);
            assertThat(relativeError(grid, json("tiny_mobilenet_expected.json").get("grid"))).isLessThan(TOLERANCE);
            // The pooled feature is the grid's mean over its locations.
            float[] pooled = new float[32];
            for (int l = 0; l < 4; l++) {
                for (int c = 0; c < 32; c++) {
                    pooled[c] += grid[l * 32 + c] / 4;
                }
            }
            assertThat(relativeError(pooled, json("tiny_mobilenet_expected.json").get("feature"))).isLessThan(TOLERANCE);
        }
    }

    @Test
    void fc1RowsAreReorderedFromChannelsLast() {
        // 2x2 map of 3 channels: TF row (h*2+w)*3+c goes to DJL column c*4 + h*2 + w.
        float[] w = new float[12];
        for (int r = 0; r < 12; r++) {
            w[r] = r;
        }
        float[] djl = TfLayout.denseKernel(w, 12, 1, 3);
        // DJL column 1 is c=0, h=0, w=1: TF row (0*2+1)*3+0 = 3.
        assertThat(djl[1]).isEqualTo(3f);
        // DJL column 4 is c=1, h=0, w=0: TF row 1.
        assertThat(djl[4]).isEqualTo(1f);
        assertThat(djl[11]).isEqualTo(11f);
    }

    private float[] tinyMobileNetFeature(Path weights) throws Exception {
        RgbImage image = ImageLoader.withDefaults().load(resource("images/rgb_301x199.png", tmp));
        try (MobileNetEncoder enc = MobileNetEncoder.load(KerasWeights.read(weights), "sha", TinyMobileNet.SIZE)) {
            assertThat(enc.featureDim()).isEqualTo(32);
            return enc.encode(image);
        }
    }

    @Test
    void mobileNetFromAFileWrittenByH5pyMatchesNumpy() throws Exception {
        float[] f = tinyMobileNetFeature(resource("encoders/tiny_mobilenet.h5", tmp));
        assertThat(relativeError(f, json("tiny_mobilenet_expected.json").get("feature"))).isLessThan(TOLERANCE);
    }

    @Test
    void mobileNetFromAFileWrittenByTheTestMatchesNumpy() throws Exception {
        Path file = tmp.resolve("mobilenet.h5");
        TinyMobileNet.write(file);
        float[] f = tinyMobileNetFeature(file);
        assertThat(relativeError(f, json("tiny_mobilenet_expected.json").get("feature"))).isLessThan(TOLERANCE);
    }

    @Test
    void mobileNetWithTheRealKerasFileMatchesNumpyOnSharedPhotos() throws Exception {
        Path weights = Fixtures.SHARED.resolve("weights/mobilenet_2_5_224_tf_no_top.h5");
        assumeThat(Files.exists(weights)).as("shared MobileNet weights").isTrue();
        JsonNode expected = json("mobilenet_2_5_224_shared_photos.json").get("features");
        try (MobileNetEncoder enc = MobileNetEncoder.load(KerasWeights.read(weights), "sha", 224)) {
            assertThat(enc.featureDim()).isEqualTo(256);
            Iterator<Map.Entry<String, JsonNode>> it = expected.properties().iterator();
            int n = 0;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                float[] f = enc.encode(ImageLoader.withDefaults().load(Fixtures.SHARED.resolve("photos").resolve(e.getKey())));
                assertThat(relativeError(f, e.getValue())).as(e.getKey()).isLessThan(TOLERANCE);
                n++;
            }
            assertThat(n).isEqualTo(8);
        }
    }

    @Test
    void wrongFilesAreClearErrors() throws Exception {
        Path mobilenet = resource("encoders/tiny_mobilenet.h5", tmp);
        assertThatThrownBy(() -> Vgg16Encoder.load(KerasWeights.read(mobilenet), "sha", 224))
                .isInstanceOf(CaptionerException.class).hasMessageContaining("not a VGG16 weights file");
        Path vgg = resource("encoders/tiny_vgg16_keras1.h5", tmp);
        assertThatThrownBy(() -> MobileNetEncoder.load(KerasWeights.read(vgg), "sha", 224))
                .hasMessageContaining("not a MobileNet v1 weights file");
        byte[] whole = Files.readAllBytes(mobilenet);
        Path cut = Files.write(tmp.resolve("cut.h5"), java.util.Arrays.copyOf(whole, whole.length - 100));
        assertThatThrownBy(() -> KerasWeights.read(cut)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("cut.h5: truncated HDF5 file");
        Path junk = Files.writeString(tmp.resolve("junk.h5"), "not hdf5");
        assertThatThrownBy(() -> KerasWeights.read(junk)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("junk.h5");
    }
}
