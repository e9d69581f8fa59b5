package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.Preprocessing;
import dev.captioner.image.KerasResize;
import dev.captioner.image.ImageLoader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.LoadSpec;
import dev.captioner.data.Split;
import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.testutil.Tolerance;
import dev.captioner.train.ConceptsSpec;
import dev.captioner.train.ConceptsTrainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConceptsEncoderTest {

    @TempDir
    Path tmp;

    @Test
    void meanAveragePrecisionWorkedByHand() {
        // Label 0: scores rank images 0, 1, 2; positives at ranks 1 and 3: AP = (1/1 + 2/3) / 2 = 5/6.
        // Label 1: positive ranked first: AP = 1. Label 2 has no positive and is not counted.
        float[][] scores = {{0.9f, 0.8f, 0.1f}, {0.5f, 0.1f, 0.2f}, {0.1f, 0.05f, 0.3f}};
        float[][] truth = {{1, 1, 0}, {0, 0, 0}, {1, 0, 0}};
        assertThat(ConceptLabels.meanAveragePrecision(scores, truth)).isCloseTo((5.0 / 6 + 1) / 2, Tolerance.relative((5.0 / 6 + 1) / 2, Tolerance.doubleSums(8)));
    }

    @Test
    void labelsAreFrequentWordsAndPairsButNotUbiquitousOnes() {
        List<List<List<String>>> images = List.of(
                List.of(List.of("red", "circle", "on", "white")),
                List.of(List.of("red", "circle", "on", "black")),
                List.of(List.of("blue", "square", "on", "white")),
                List.of(List.of("red", "square", "on", "white")));
        List<String> labels = ConceptLabels.select(images, 10);
        // Counted once per image; "on" is in every image and says nothing. Ties keep first appearance.
        assertThat(labels).containsExactly("red", "on white", "white", "red circle", "circle", "circle on", "square",
                "square on");
        assertThat(ConceptLabels.targets(labels, images.get(0)).length).isEqualTo(labels.size());
    }

    @Test
    void trainsSavesAndLoadsAnEncoderWhoseFeaturesAreDeterministic() throws Exception {
        SyntheticShapes.generate(new SynthSpec(48, 32, 3), tmp.resolve("data"));
        Path dir = tmp.resolve("enc");
        ConceptsConfig config;
        double recomputed;
        try (Dataset d = DatasetLoader.load(tmp.resolve("data"), LoadSpec.defaults())) {
            ConceptsSpec o = new ConceptsSpec(32, 16, 2, 16, 2e-3f, 24, 1, Cleaning.KERAS_TUTORIAL);
            config = new ConceptsTrainer(new PrintStream(new ByteArrayOutputStream())).train(d, o, dir, false);
            recomputed = devMeanAveragePrecision(d, dir, config);
        }
        assertThat(dir.resolve("concepts.json")).exists();
        assertThat(config.labels()).hasSize(16);
        // The reported score is the saved encoder's: recomputed from its predictions on dev.
        // The same predictions, perhaps batched otherwise: float32 scores that may swap near-ties
        // change a mean of averages over 16 labels by little; the scores' own sums are ~3,000 terms.
        assertThat(config.devMeanAveragePrecision()).isCloseTo(recomputed,
                Tolerance.relative(recomputed, Tolerance.floatSums(3000)));
        RgbImage img = new RgbImage(40, 40, new byte[40 * 40 * 3]);
        try (ConceptsEncoder a = ConceptsEncoder.load(dir); ConceptsEncoder b = ConceptsEncoder.load(dir)) {
            assertThat(a.featureDim()).isEqualTo(24);
            assertThat(a.config().labels()).isEqualTo(config.labels());
            float[] fa = a.encode(img);
            assertThat(fa).hasSize(24).containsExactly(b.encode(img));
            assertThat(a.weightsSha256()).hasSize(64);
            float[][] p = a.concepts(Preprocessing.UNIT.toChw(KerasResize.nearest(img, 32, 32)), 1);
            assertThat(p[0]).hasSize(16);
            for (float v : p[0]) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
    }

    private static double devMeanAveragePrecision(Dataset d, Path dir, ConceptsConfig config) throws Exception {
        List<ImageRecord> devImages = d.images(Split.DEV);
        float[][] scores = new float[devImages.size()][];
        float[][] targets = new float[devImages.size()][];
        try (ConceptsEncoder enc = ConceptsEncoder.load(dir)) {
            for (int i = 0; i < devImages.size(); i++) {
                RgbImage img;
                try (java.io.InputStream in = d.open(devImages.get(i))) {
                    img = ImageLoader.withDefaults().read(in, devImages.get(i).name());
                }
                scores[i] = enc.concepts(ImageInputs.of(img, enc), 1)[0];
                List<List<String>> words = devImages.get(i).captions().stream().map(Cleaning.KERAS_TUTORIAL::words).toList();
                targets[i] = ConceptLabels.targets(config.labels(), words);
            }
        }
        return ConceptLabels.meanAveragePrecision(scores, targets);
    }

    @Test
    void aFolderWithoutAnEncoderIsAClearError() {
        assertThatThrownBy(() -> ConceptsEncoder.load(tmp)).hasMessageContaining("not a concepts encoder");
        assertThatThrownBy(() -> Encoders.open("concepts", null)).hasMessageContaining("encoder train");
        assertThatThrownBy(() -> Encoders.open("resnet", null)).hasMessageContaining("unknown encoder 'resnet'");
    }
}
