package dev.captioner.serve;

import dev.captioner.model.Architecture;

/** The server with a tiny transformer: its cross-attention in the API and the page's overlay, as for the attention LSTM. */
class TransformerServeTest extends AttentionServeTest {

    @Override
    Architecture architecture() {
        return Architecture.TRANSFORMER;
    }
}
