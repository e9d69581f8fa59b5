package dev.captioner.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadSpec;
import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.Preprocessing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureExtractorTest {

    @TempDir
    Path tmp;

    /** A stand-in network: the feature is the mean of each channel; counts the images it sees. */
    static class MeanEncoder implements ImageEncoder {
        final AtomicInteger images = new AtomicInteger();
        final int failAfter;

        MeanEncoder(int failAfter) {
            this.failAfter = failAfter;
        }

        @Override
        public String name() {
            return "mean";
        }

        @Override
        public int featureDim() {
            return 3;
        }

        @Override
        public int imageSize() {
            return 16;
        }

        @Override
        public Preprocessing preprocessing() {
            return Preprocessing.UNIT;
        }

        @Override
        public String weightsSha256() {
            return "none";
        }

        @Override
        public float[][] encode(float[] batch, int n) {
            if (images.addAndGet(n) > failAfter) {
                throw new IllegalStateException("simulated crash");
            }
            int plane = 16 * 16;
            float[][] out = new float[n][3];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < plane; p++) {
                        out[i][c] += batch[(i * 3 + c) * plane + p] / plane;
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {}
    }

    private Dataset synth(int n) throws Exception {
        SyntheticShapes.generate(new SynthSpec(n, 32, 5), tmp.resolve("data"));
        return DatasetLoader.load(tmp.resolve("data"), LoadSpec.defaults());
    }

    private static final FeatureExtractor.Spec TWO = new FeatureExtractor.Spec(2, 2, 1_000_000);

    @Test
    void writesOneRowPerImageInDatasetOrder() throws Exception {
        try (Dataset d = synth(12)) {
            Path out = tmp.resolve("f.h5");
            MeanEncoder enc = new MeanEncoder(Integer.MAX_VALUE);
            FeatureExtractor.Result r = new FeatureExtractor(quiet()).extract(d, d.images(), enc, out, TWO);
            assertThat(r.computed()).isEqualTo(12);
            FeatureSet set = FeatureStore.read(out);
            assertThat(set.ids()).containsExactlyElementsOf(d.images().stream().map(i -> i.name()).toList());
            assertThat(set.features()[0][0]).isBetween(0f, 1f);
            assertThat(tmp).isDirectoryNotContaining("glob:**.partial");
        }
    }

    @Test
    void anInterruptedRunResumesWithoutRecomputingFinishedImages() throws Exception {
        try (Dataset d = synth(20)) {
            Path out = tmp.resolve("f.h5");
            MeanEncoder crashing = new MeanEncoder(10);
            assertThatThrownBy(() -> new FeatureExtractor(quiet(), 4).extract(d, d.images(), crashing, out,
                    new FeatureExtractor.Spec(2, 1, 1_000_000))).hasMessageContaining("simulated crash");
            assertThat(out).doesNotExist();
            assertThat(FeatureCheckpoint.dirFor(out)).isDirectory();
            MeanEncoder second = new MeanEncoder(Integer.MAX_VALUE);
            FeatureExtractor.Result r = new FeatureExtractor(quiet(), 4).extract(d, d.images(), second, out, TWO);
            assertThat(r.reused()).isGreaterThanOrEqualTo(8);
            assertThat(second.images.get()).isEqualTo(20 - r.reused());
            assertThat(FeatureStore.read(out).size()).isEqualTo(20);
            // A third run finds everything in the output file and computes nothing.
            MeanEncoder third = new MeanEncoder(Integer.MAX_VALUE);
            FeatureExtractor.Result again = new FeatureExtractor(quiet()).extract(d, d.images(), third, out, TWO);
            assertThat(third.images.get()).isZero();
            assertThat(again.reused()).isEqualTo(20);
        }
    }

    /** Like a real network, its numbers depend on the batch: here, plainly, on its size and the position in it. */
    static final class BatchSensitiveEncoder extends MeanEncoder {
        BatchSensitiveEncoder(int failAfter) {
            super(failAfter);
        }

        @Override
        public float[][] encode(float[] batch, int n) {
            float[][] out = super.encode(batch, n);
            for (int i = 0; i < n; i++) {
                out[i][0] += n * 1e-3f + i * 1e-4f;
            }
            return out;
        }
    }

    @Test
    void batchesAreFixedSlicesSoRerunsAndResumedRunsMakeTheSameRows() throws Exception {
        try (Dataset d = synth(22)) {
            FeatureExtractor.Spec four = new FeatureExtractor.Spec(4, 2, 1_000_000);
            Path first = tmp.resolve("first.h5");
            new FeatureExtractor(quiet()).extract(d, d.images(), new BatchSensitiveEncoder(Integer.MAX_VALUE), first, four);
            float[][] expected = FeatureStore.read(first).features();
            // Image i is in slice i / 4 at position i % 4; the last slice holds two images.
            assertThat(expected[21][0] - expected[20][0]).isNotEqualTo(0);
            for (int run = 0; run < 3; run++) {
                Path again = tmp.resolve("again" + run + ".h5");
                new FeatureExtractor(quiet()).extract(d, d.images(), new BatchSensitiveEncoder(Integer.MAX_VALUE), again, four);
                assertThat(FeatureStore.read(again).features()).isDeepEqualTo(expected);
            }
            Path resumed = tmp.resolve("resumed.h5");
            assertThatThrownBy(() -> new FeatureExtractor(quiet(), 4).extract(d, d.images(), new BatchSensitiveEncoder(9),
                    resumed, four)).hasMessageContaining("simulated crash");
            FeatureExtractor.Result r = new FeatureExtractor(quiet(), 4).extract(d, d.images(),
                    new BatchSensitiveEncoder(Integer.MAX_VALUE), resumed, four);
            assertThat(r.reused()).isPositive();
            assertThat(FeatureStore.read(resumed).features()).isDeepEqualTo(expected);
        }
    }

    @Test
    void aBadImageIsReportedAndSkippedAndTheRestAreWritten() throws Exception {
        try (Dataset d = synth(10)) {
            Path bad = tmp.resolve("data/Flicker8k_Dataset").resolve(d.images().get(3).name());
            Files.write(bad, new byte[] {1, 2, 3, 4});
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Path out = tmp.resolve("f.h5");
            FeatureExtractor.Result r = new FeatureExtractor(new PrintStream(log, true)).extract(d, d.images(),
                    new MeanEncoder(Integer.MAX_VALUE), out, TWO);
            assertThat(r.failures()).hasSize(1);
            assertThat(r.failures().get(0).image()).isEqualTo(d.images().get(3).name());
            assertThat(log.toString()).contains("skipped").contains(bad.getFileName().toString()).contains("not an image");
            assertThat(FeatureStore.read(out).ids()).hasSize(9).doesNotContain(d.images().get(3).name());
        }
    }

    @Test
    void anOutputMadeByAnotherEncoderIsRecomputed() throws Exception {
        try (Dataset d = synth(8)) {
            Path out = tmp.resolve("f.h5");
            FeatureStore.write(out, new FeatureSet(java.util.List.of(d.images().get(0).name()), new float[][] {{9, 9, 9}},
                    "other", 3, "x", 16));
            MeanEncoder enc = new MeanEncoder(Integer.MAX_VALUE);
            FeatureExtractor.Result r = new FeatureExtractor(quiet()).extract(d, d.images(), enc, out, TWO);
            assertThat(r.reused()).isZero();
            assertThat(enc.images.get()).isEqualTo(8);
            assertThat(FeatureStore.read(out).encoder()).isEqualTo("mean");
        }
    }

    @Test
    void rowsFinishedBeforeAWorkerFailsAreCheckpointed() throws Exception {
        try (Dataset d = synth(20)) {
            Path out = tmp.resolve("f.h5");
            // Checkpoint every 1000 rows: only the flush on failure can save the first ten.
            MeanEncoder crashing = new MeanEncoder(10);
            assertThatThrownBy(() -> new FeatureExtractor(quiet(), 1000).extract(d, d.images(), crashing, out,
                    new FeatureExtractor.Spec(1, 1, 1_000_000))).hasMessageContaining("simulated crash");
            MeanEncoder second = new MeanEncoder(Integer.MAX_VALUE);
            FeatureExtractor.Result r = new FeatureExtractor(quiet()).extract(d, d.images(), second, out, TWO);
            assertThat(r.reused()).isEqualTo(10);
            assertThat(second.images.get()).isEqualTo(10);
        }
    }

    @Test
    void aCorruptCheckpointIsStartedAfreshOrPartlyDroppedWithAWarning() throws Exception {
        try (Dataset d = synth(20)) {
            Path out = tmp.resolve("f.h5");
            MeanEncoder crashing = new MeanEncoder(12);
            assertThatThrownBy(() -> new FeatureExtractor(quiet(), 4).extract(d, d.images(), crashing, out,
                    new FeatureExtractor.Spec(1, 1, 1_000_000))).hasMessageContaining("simulated crash");
            Path dir = FeatureCheckpoint.dirFor(out);
            List<Path> chunks;
            try (Stream<Path> s = Files.list(dir)) {
                chunks = s.filter(p -> p.getFileName().toString().startsWith("chunk-")).sorted().toList();
            }
            assertThat(chunks).hasSize(3);
            // A chunk cut short: its rows are computed again, the others are kept.
            byte[] whole = Files.readAllBytes(chunks.get(1));
            Files.write(chunks.get(1), java.util.Arrays.copyOf(whole, whole.length / 2));
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            MeanEncoder second = new MeanEncoder(Integer.MAX_VALUE);
            FeatureExtractor.Result r = new FeatureExtractor(new PrintStream(log, true), 4).extract(d, d.images(), second,
                    out, TWO);
            assertThat(r.reused()).isEqualTo(8);
            assertThat(second.images.get()).isEqualTo(12);
            assertThat(log.toString()).contains("warning: dropping unreadable checkpoint chunk")
                    .contains(chunks.get(1).getFileName().toString());
            FeatureSet straight = FeatureStore.read(out);

            // An unreadable meta.json: the whole checkpoint starts afresh.
            Files.delete(out);
            assertThatThrownBy(() -> new FeatureExtractor(quiet(), 4).extract(d, d.images(), new MeanEncoder(8), out,
                    new FeatureExtractor.Spec(1, 1, 1_000_000))).hasMessageContaining("simulated crash");
            Files.writeString(dir.resolve("meta.json"), "{\"encoder\": \"mea");
            ByteArrayOutputStream log2 = new ByteArrayOutputStream();
            MeanEncoder third = new MeanEncoder(Integer.MAX_VALUE);
            FeatureExtractor.Result again = new FeatureExtractor(new PrintStream(log2, true), 4).extract(d, d.images(),
                    third, out, TWO);
            assertThat(log2.toString()).contains("warning: unreadable").contains("meta.json").contains("afresh");
            assertThat(again.reused()).isZero();
            assertThat(third.images.get()).isEqualTo(20);
            FeatureSet fresh = FeatureStore.read(out);
            assertThat(fresh.ids()).isEqualTo(straight.ids());
            assertThat(fresh.features()).isDeepEqualTo(straight.features());
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }
}
