package dev.captioner.cli;

import dev.captioner.model.Architecture;

/** {@code caption} with a tiny transformer: its cross-attention as pictures and JSON weights, as for the attention LSTM. */
class TransformerCommandsTest extends AttentionCommandsTest {

    @Override
    Architecture architecture() {
        return Architecture.TRANSFORMER;
    }
}
