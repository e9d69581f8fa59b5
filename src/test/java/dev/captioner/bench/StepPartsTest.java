package dev.captioner.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.testutil.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepPartsTest {

    @Test
    void theBoundIsThePredictionsOverTheSumOfTheParts() {
        StepParts parts = StepParts.of(700, 30, 25, 8, 2, 5);
        assertThat(parts.sumMs()).isEqualTo(70.0);
        assertThat(parts.boundTokensPerSecond()).isCloseTo(10_000.0, Tolerance.relative(10_000.0, Tolerance.doubleSums(8)));
        assertThat(parts.lstmMs()).isEqualTo(8.0);
        assertThatThrownBy(() -> StepParts.of(700, 1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void measuresEveryPartOfATinyMeanBatch() {
        // 4 captions of mean length 6 (markers included): 5 predictions each.
        TrainBenchmark.Shape tiny = new TrainBenchmark.Shape(8, 1, 40, 16, 6, 9, 4);
        StepParts parts = StepParts.measure(tiny, 3, 2);
        assertThat(parts.predictionsPerStep()).isEqualTo(20);
        assertThat(List.of(parts.outputForwardMs(), parts.outputBackwardMs(), parts.lstmMs(), parts.logSoftmaxMs(),
                parts.adamMs())).allSatisfy(ms -> assertThat(ms).isPositive().isLessThan(parts.sumMs()));
    }
}
