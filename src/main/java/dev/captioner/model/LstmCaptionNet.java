package dev.captioner.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;

/**
 * The LSTM caption networks. Image path: feature → Dropout → Dense(units, ReLU). Text path: tokens →
 * Embedding(V, embed) → Dropout → LSTM(units). {@link Architecture#MERGE} adds the image vector
 * to every LSTM output; {@link Architecture#INIT_INJECT} uses it as the LSTM's initial hidden
 * state. Head: Dense(units, ReLU) → Dense(V) (logits; softmax is part of the loss and of
 * decoding). The stages are exposed separately so that training can feed the output layer only
 * the positions that have a target, and decoding can step the LSTM one token at a time.
 */
public final class LstmCaptionNet extends CaptionNet {

    private final Parameter embedding;
    private final Dropout imageDropout;
    private final Linear imageDense;
    private final Dropout textDropout;
    private final LSTM lstm;
    private final Linear headDense;
    private final Linear output;

    /** @param config sizes and architecture: merge or init-inject */
    LstmCaptionNet(ModelConfig config) {
        super(config);
        embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                .optInitializer(new UniformInitializer(0.05f))
                .optShape(new Shape(config.vocabularySize(), config.embed())).build());
        imageDropout = addChildBlock("imageDropout", Dropout.builder().optRate(config.dropout()).build());
        imageDense = addChildBlock("imageDense", Linear.builder().setUnits(config.units()).build());
        textDropout = addChildBlock("textDropout", Dropout.builder().optRate(config.dropout()).build());
        lstm = addChildBlock("lstm", LSTM.builder().setStateSize(config.units()).setNumLayers(1)
                .optBatchFirst(true).optReturnState(true).build());
        headDense = addChildBlock("headDense", Linear.builder().setUnits(config.units()).build());
        output = addChildBlock("output", Linear.builder().setUnits(config.vocabularySize()).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        imageDropout.initialize(manager, dataType, inputShapes[0]);
        imageDense.initialize(manager, dataType, inputShapes[0]);
        Shape seq = new Shape(batch, inputShapes[1].get(1), config.embed());
        textDropout.initialize(manager, dataType, seq);
        lstm.initialize(manager, dataType, seq);
        Shape hidden = new Shape(batch, inputShapes[1].get(1), config.units());
        headDense.initialize(manager, dataType, hidden);
        output.initialize(manager, dataType, new Shape(batch, config.units()));
    }

    /**
     * Image path.
     *
     * @param ps parameter store
     * @param features {@code [B, F]}
     * @param training whether dropout is on
     * @return {@code [B, units]}
     */
    public NDArray image(ParameterStore ps, NDArray features, boolean training) {
        NDArray x = imageDropout.forward(ps, new NDList(features), training).singletonOrThrow();
        return imageDense.forward(ps, new NDList(x), training).singletonOrThrow().getNDArrayInternal().relu();
    }

    /**
     * The initial LSTM state for a batch of images.
     *
     * @param image {@code [B, units]} from {@link #image}
     * @return {@code (h, c)}, each {@code [1, B, units]}
     */
    public NDList initialState(NDArray image) {
        NDManager m = image.getManager();
        Shape s = new Shape(1, image.getShape().get(0), config.units());
        NDArray h = config.architecture() == Architecture.INIT_INJECT ? image.expandDims(0) : m.zeros(s);
        return new NDList(h, m.zeros(s));
    }

    /**
     * Text path: runs the LSTM over token sequences from a given state.
     *
     * @param ps parameter store
     * @param tokens {@code [B, T]} token indices (int64)
     * @param state {@code (h, c)}, each {@code [1, B, units]}
     * @param training whether dropout is on
     * @return LSTM outputs {@code [B, T, units]}, then the final {@code h} and {@code c}
     */
    public NDList text(ParameterStore ps, NDArray tokens, NDList state, boolean training) {
        NDArray weight = ps.getValue(embedding, tokens.getDevice(), training);
        NDArray embedded = tokens.getNDArrayInternal().embedding(tokens, weight, SparseFormat.DENSE).singletonOrThrow();
        NDArray x = textDropout.forward(ps, new NDList(embedded), training).singletonOrThrow();
        return lstm.forward(ps, new NDList(x, state.get(0), state.get(1)), training);
    }

    /**
     * Joins the LSTM outputs with the image: {@link Architecture#MERGE} adds the projected image
     * to every output; {@link Architecture#INIT_INJECT} has already used it as the initial state.
     * Training calls this on the whole {@code [B, T, units]} output before choosing the positions
     * with a target: had the image been gathered per target instead, its gradient would be an
     * index-add with repeated rows, which PyTorch runs with racing atomic adds on several threads,
     * and two runs with the same seed would drift apart.
     *
     * @param lstmOut {@code [B, units]} or {@code [B, T, units]} LSTM outputs
     * @param image {@code [B, units]} the projected image of each row
     * @return the same shape as {@code lstmOut}
     */
    public NDArray merge(NDArray lstmOut, NDArray image) {
        if (config.architecture() != Architecture.MERGE) {
            return lstmOut;
        }
        return lstmOut.add(lstmOut.getShape().dimension() == 3 ? image.expandDims(1) : image);
    }

    /**
     * Decoder head up to the last hidden layer, on merged outputs already gathered to the
     * positions that need a prediction.
     *
     * @param ps parameter store
     * @param merged {@code [M, units]} from {@link #merge}
     * @param training whether dropout is on
     * @return {@code [M, units]}
     */
    public NDArray head(ParameterStore ps, NDArray merged, boolean training) {
        return headDense.forward(ps, new NDList(merged), training).singletonOrThrow().getNDArrayInternal().relu();
    }

    /**
     * Output layer.
     *
     * @param ps parameter store
     * @param hidden {@code [..., units]}
     * @param training whether dropout is on
     * @return logits {@code [..., V]}
     */
    public NDArray logits(ParameterStore ps, NDArray hidden, boolean training) {
        return output.forward(ps, new NDList(hidden), training).singletonOrThrow();
    }


    @Override
    public MultiplyAdds multiplyAdds() {
        double e = config.embed();
        double u = config.units();
        // LSTM step on the embedding, head, output layer; the image projection once.
        return new MultiplyAdds((e + u) * 4 * u + u * u + u * config.vocabularySize(), (double) config.featureDim() * u);
    }

    @Override
    public TeacherForced teacherForce(ParameterStore ps, NDArray features, NDArray tokens, int[] lengths,
            NDArray positions, boolean training) {
        NDArray image = image(ps, features, training);
        NDArray merged = merge(text(ps, tokens, initialState(image), training).get(0), image);
        Shape s = merged.getShape();
        // Only positions with a target go on: padding never reaches the head or the output layer.
        NDArray selected = merged.reshape(s.get(0) * s.get(1), s.get(2)).get(positions);
        return new TeacherForced(logits(ps, head(ps, selected, training), training), null);
    }

    @Override
    public Decoding startDecoding(ParameterStore ps, NDArray features, int beam) {
        NDArray image = image(ps, features, false).repeat(0, beam);
        return new LstmDecoding(image, initialState(image));
    }

    /** The LSTM's state per row, and each row's projected image. */
    private final class LstmDecoding implements Decoding {
        private final NDArray image;
        private NDList state;
        private NDList next;

        LstmDecoding(NDArray image, NDList state) {
            this.image = image;
            this.state = state;
        }

        @Override
        public NDArray step(NDManager step, ParameterStore ps, NDArray tokens) {
            // The old state is freed with the step; the new one is kept by reorder().
            state.attach(step);
            NDList out = text(ps, tokens, state, false);
            next = new NDList(out.get(1), out.get(2));
            long rows = tokens.getShape().get(0);
            NDArray hidden = head(ps, merge(out.get(0).reshape(rows, config.units()), image), false);
            return logits(ps, hidden, false).logSoftmax(1);
        }

        @Override
        public void reorder(NDManager step, NDArray parents) {
            NDManager keep = image.getManager();
            state = parents == null ? next : new NDList(next.get(0).squeeze(0).get(parents).expandDims(0),
                    next.get(1).squeeze(0).get(parents).expandDims(0));
            state.attach(keep);
        }
    }
}
