package dev.captioner.vision;

import dev.captioner.image.Preprocessing;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EfficientBatchesTest {

    /** Feature of an input = its first value, twice; remembers the size of every call. */
    private static final class RecordingEncoder implements ImageEncoder {
        final List<Integer> calls = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public int featureDim() {
            return 2;
        }

        @Override
        public int imageSize() {
            return 1;
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
        public int efficientBatch() {
            return 3;
        }

        @Override
        public float[][] encode(float[] batch, int n) {
            calls.add(n);
            int per = batch.length / n;
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = new float[] {batch[i * per], 2 * batch[i * per]};
            }
            return out;
        }

        @Override
        public void close() {}
    }

    private static List<float[]> inputs(int n) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new float[] {i, 0, 0});
        }
        return out;
    }

    @Test
    void splitsIntoCallsOfTheEncodersSizeAndKeepsOrder() {
        RecordingEncoder e = new RecordingEncoder();
        float[][] f = e.encodeInEfficientBatches(inputs(7));
        assertThat(e.calls).containsExactly(3, 3, 1);
        for (int i = 0; i < 7; i++) {
            assertThat(f[i]).containsExactly(i, 2f * i);
        }
    }

    @Test
    void smallBatchesAreOneCall() {
        RecordingEncoder e = new RecordingEncoder();
        assertThat(e.encodeInEfficientBatches(inputs(2))).hasDimensions(2, 2);
        assertThat(e.calls).containsExactly(2);
    }
}
