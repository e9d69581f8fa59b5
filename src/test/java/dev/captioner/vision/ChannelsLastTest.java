package dev.captioner.vision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ChannelsLastTest {

    @Test
    void keepsTheShapeAndEveryValueInPlace() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = new float[2 * 3 * 4 * 5];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            NDArray nchw = m.create(values, new Shape(2, 3, 4, 5));
            NDArray last = ChannelsLast.of(nchw);
            assertThat(last.getShape()).isEqualTo(new Shape(2, 3, 4, 5));
            assertThat(last.toFloatArray()).containsExactly(values);
            // Element (n=1, c=2, h=3, w=4) is still where NCHW indexing says.
            assertThat(last.get(1, 2, 3, 4).getFloat()).isEqualTo(((1 * 3 + 2) * 4 + 3) * 5 + 4);
            // Stored channels-last: the NHWC view is contiguous, so DJL hands out its memory itself
            // (a non-contiguous view would be copied first), and a write through it shows in the array.
            last.transpose(0, 2, 3, 1).toByteBuffer(true).asFloatBuffer().put(1, -1f);
            assertThat(last.get(0, 1, 0, 0).getFloat()).as("memory after (0,0,0,0) holds channel 1").isEqualTo(-1f);
        }
    }
}
