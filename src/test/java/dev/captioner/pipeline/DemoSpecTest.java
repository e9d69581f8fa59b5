package dev.captioner.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.data.SynthSpec;
import dev.captioner.model.Architecture;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo's settings are checked, each group by its own limits, before anything is written. */
class DemoSpecTest {

    @Test
    void eachGroupIsCheckedByTheLimitsOfWhatItTrains() {
        assertThatThrownBy(() -> new Demo.Spec.EncoderStage(100, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 16 from 32 to 256");
        assertThatThrownBy(() -> new Demo.Spec.EncoderStage(64, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Demo.Spec.CaptionStage(Architecture.MERGE, 0, 0))
                .hasMessageContaining("epochs must be between 1 and 10000");
        assertThatThrownBy(() -> new Demo.Spec.CaptionStage(Architecture.MERGE, 2, -1))
                .hasMessageContaining("fine-tuning epochs");
        assertThatThrownBy(() -> new Demo.Spec(Path.of("x"), new SynthSpec(10, 32, 1), null,
                new Demo.Spec.CaptionStage(Architecture.MERGE, 2, 0))).isInstanceOf(IllegalArgumentException.class);
        Demo.Spec d = Demo.Spec.defaults(Path.of("runs/demo"));
        assertThat(d.architecture()).isEqualTo(Demo.ARCHITECTURE);
        assertThat(d.encoderSize()).isEqualTo(64);
        assertThat(d.seed()).isEqualTo(d.data().seed());
    }
}
