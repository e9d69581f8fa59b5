package dev.captioner.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import dev.captioner.vision.GridShape;

/**
 * Show, Attend and Tell's soft attention (Xu et al. 2015), as its best-known PyTorch
 * re-implementation builds it. The image is a grid of {@code L} annotation vectors
 * {@code a_i} of size {@code D}. The LSTM's initial {@code h} and {@code c} are linear maps of
 * their mean. At each word, additive attention scores every location,
 * {@code e_ti = w · tanh(W_a a_i + W_h h_{t-1})}, the weights {@code α_t} are their softmax over
 * the locations, the context {@code z_t = Σ_i α_ti a_i} is scaled by a gate
 * {@code β_t = σ(W_β h_{t-1})}, and an LSTM cell reads {@code [embedding of the previous word;
 * β_t z_t]}; the next word's logits are a linear map of the dropped-out new {@code h_t}. Training
 * adds the doubly stochastic regulariser {@code λ Σ_i (1 − Σ_t α_ti)²}, averaged over the batch,
 * which asks every location to be looked at about as much over a caption.
 */
public final class AttentionCaptionNet extends CaptionNet {

    private final GridShape grid;
    private final int attentionDim;
    private final float alphaReg;
    private final Parameter embedding;
    private final Linear encoderAttention;
    private final Linear decoderAttention;
    private final Linear fullAttention;
    private final Linear initH;
    private final Linear initC;
    private final Linear gate;
    private final Linear inputGates;
    private final Linear hiddenGates;
    private final Dropout dropout;
    private final Linear output;

    /** @param config sizes, with the grid and attention settings */
    AttentionCaptionNet(ModelConfig config) {
        super(config);
        this.grid = config.grid();
        ModelSpec.AttentionSpec a = config.settings(ModelSpec.AttentionSpec.class);
        this.attentionDim = a.dim();
        this.alphaReg = a.alphaReg();
        int units = config.units();
        embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                .optInitializer(new UniformInitializer(0.1f))
                .optShape(new Shape(config.vocabularySize(), config.embed())).build());
        encoderAttention = addChildBlock("encoderAttention", Linear.builder().setUnits(attentionDim).build());
        decoderAttention = addChildBlock("decoderAttention", Linear.builder().setUnits(attentionDim).build());
        fullAttention = addChildBlock("fullAttention", Linear.builder().setUnits(1).build());
        initH = addChildBlock("initH", Linear.builder().setUnits(units).build());
        initC = addChildBlock("initC", Linear.builder().setUnits(units).build());
        gate = addChildBlock("gate", Linear.builder().setUnits(grid.depth()).build());
        inputGates = addChildBlock("inputGates", Linear.builder().setUnits(4L * units).build());
        hiddenGates = addChildBlock("hiddenGates", Linear.builder().setUnits(4L * units).build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.dropout()).build());
        output = addChildBlock("output", Linear.builder().setUnits(config.vocabularySize()).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long d = grid.depth();
        long units = config.units();
        encoderAttention.initialize(manager, dataType, new Shape(1, d));
        decoderAttention.initialize(manager, dataType, new Shape(1, units));
        fullAttention.initialize(manager, dataType, new Shape(1, attentionDim));
        initH.initialize(manager, dataType, new Shape(1, d));
        initC.initialize(manager, dataType, new Shape(1, d));
        gate.initialize(manager, dataType, new Shape(1, units));
        inputGates.initialize(manager, dataType, new Shape(1, config.embed() + d));
        hiddenGates.initialize(manager, dataType, new Shape(1, units));
        dropout.initialize(manager, dataType, new Shape(1, units));
        output.initialize(manager, dataType, new Shape(1, units));
    }

    private static NDArray linear(Linear layer, ParameterStore ps, NDArray x, boolean training) {
        return layer.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** The annotations of each row: {@code [R, L × D]} features to {@code [R, L, D]}. */
    private NDArray annotations(NDArray features) {
        return features.reshape(features.getShape().get(0), grid.locations(), grid.depth());
    }

    /** What stays fixed over a caption: the annotations and their projection for attention. */
    private record Image(NDArray annotations, NDArray projected) {}

    private Image image(ParameterStore ps, NDArray features, boolean training) {
        NDArray a = annotations(features);
        return new Image(a, linear(encoderAttention, ps, a, training));
    }

    /** @return {@code (h, c)}, each {@code [R, units]}: linear maps of the mean annotation */
    private NDList initialState(ParameterStore ps, Image image, boolean training) {
        NDArray mean = image.annotations().mean(new int[] {1});
        return new NDList(linear(initH, ps, mean, training), linear(initC, ps, mean, training));
    }

    /**
     * One word for every row.
     *
     * @param embedded {@code [R, E]} the previous word's embedding
     * @param state {@code (h, c)}, each {@code [R, U]}
     * @return the new {@code h} and {@code c}, and {@code α} {@code [R, L]}
     */
    private NDList step(ParameterStore ps, Image image, NDArray embedded, NDList state, boolean training) {
        NDArray h = state.get(0);
        NDArray c = state.get(1);
        // Additive attention: scores [R, L] from tanh(W_a a + W_h h), then a softmax over locations.
        NDArray query = linear(decoderAttention, ps, h, training).expandDims(1);
        NDArray scores = linear(fullAttention, ps, image.projected().add(query).tanh(), training).squeeze(2);
        NDArray alpha = scores.softmax(1);
        // Context z = Σ_i α_i a_i: [R, 1, L] × [R, L, D] → [R, D], scaled by the gate β.
        NDArray context = alpha.expandDims(1).matMul(image.annotations()).squeeze(1);
        NDArray beta = Activation.sigmoid(linear(gate, ps, h, training));
        NDArray x = NDArrays.concat(new NDList(embedded, beta.mul(context)), 1);
        // An LSTM cell, PyTorch's gate order: input, forget, cell, output.
        NDList gates = linear(inputGates, ps, x, training).add(linear(hiddenGates, ps, h, training)).split(4, 1);
        NDArray cNext = Activation.sigmoid(gates.get(1)).mul(c)
                .add(Activation.sigmoid(gates.get(0)).mul(gates.get(2).tanh()));
        NDArray hNext = Activation.sigmoid(gates.get(3)).mul(cNext.tanh());
        return new NDList(hNext, cNext, alpha);
    }

    private NDArray embed(ParameterStore ps, NDArray tokens, boolean training) {
        NDArray weight = ps.getValue(embedding, tokens.getDevice(), training);
        return tokens.getNDArrayInternal().embedding(tokens, weight, SparseFormat.DENSE).singletonOrThrow();
    }

    @Override
    public MultiplyAdds multiplyAdds() {
        double e = config.embed();
        double u = config.units();
        double a = attentionDim;
        double l = grid.locations();
        double d = grid.depth();
        // Per step: decoder attention, scores, context, gate, LSTM cell, output layer. Once: the
        // annotations' projection and the initial state.
        return new MultiplyAdds(u * a + l * a + l * d + u * d + (e + d + u) * 4 * u + u * config.vocabularySize(),
                l * d * a + 2 * d * u);
    }

    @Override
    public TeacherForced teacherForce(ParameterStore ps, NDArray features, NDArray tokens, int[] lengths,
            NDArray positions, boolean training) {
        long rows = tokens.getShape().get(0);
        int steps = (int) tokens.getShape().get(1);
        Image image = image(ps, features, training);
        NDList state = initialState(ps, image, training);
        NDArray embedded = embed(ps, tokens, training); // [R, T, E]
        NDList hidden = new NDList(steps);
        NDList alphas = new NDList(steps);
        for (int t = 0; t < steps; t++) {
            NDList out = step(ps, image, embedded.get(":, {}, :", t), state, training);
            state = new NDList(out.get(0), out.get(1));
            hidden.add(out.get(0));
            alphas.add(out.get(2));
        }
        // [R, T, U] → the positions with a target → dropout → output layer.
        NDArray h = NDArrays.stack(hidden, 1).reshape(rows * steps, config.units()).get(positions);
        NDArray logits = linear(output, ps, dropout.forward(ps, new NDList(h), training).singletonOrThrow(), training);
        return new TeacherForced(logits, penalty(NDArrays.stack(alphas, 1), lengths));
    }

    /**
     * The doubly stochastic regulariser: {@code λ Σ_i (1 − Σ_t α_ti)²} per caption, the sum over
     * {@code t} taken over the steps that predict a word of it, averaged over the batch.
     *
     * @param alphas {@code [R, T, L]}
     * @param lengths steps with a prediction, per row
     * @return a scalar
     */
    NDArray penalty(NDArray alphas, int[] lengths) {
        long rows = alphas.getShape().get(0);
        int steps = (int) alphas.getShape().get(1);
        float[] mask = new float[(int) rows * steps];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < Math.min(lengths[r], steps); t++) {
                mask[r * steps + t] = 1;
            }
        }
        NDArray m = alphas.getManager().create(mask, new Shape(rows, steps, 1));
        NDArray coverage = alphas.mul(m).sum(new int[] {1}); // [R, L]
        NDArray gap = coverage.neg().add(1);
        return gap.mul(gap).sum(new int[] {1}).mean().mul(GraphScalar.of(alphas, alphaReg));
    }

    @Override
    public Decoding startDecoding(ParameterStore ps, NDArray features, int beam) {
        Image image = image(ps, features.repeat(0, beam), false);
        return new AttentionDecoding(image, initialState(ps, image, false));
    }

    /** Each row's LSTM state, its image, and the attention weights of the last step. */
    private final class AttentionDecoding implements Decoding {
        private final Image image;
        private NDList state;
        private NDList next;
        private NDArray alpha;

        AttentionDecoding(Image image, NDList state) {
            this.image = image;
            this.state = state;
        }

        @Override
        public NDArray step(NDManager step, ParameterStore ps, NDArray tokens) {
            state.attach(step);
            long rows = tokens.getShape().get(0);
            NDArray embedded = embed(ps, tokens, false).reshape(rows, config.embed());
            NDList out = step(ps, image, embedded, state, false);
            next = new NDList(out.get(0), out.get(1));
            alpha = out.get(2);
            return linear(output, ps, out.get(0), false).logSoftmax(1);
        }

        private NDList step(ParameterStore ps, Image image, NDArray embedded, NDList state, boolean training) {
            return AttentionCaptionNet.this.step(ps, image, embedded, state, training);
        }

        @Override
        public NDArray attention() {
            return alpha;
        }

        @Override
        public void reorder(NDManager step, NDArray parents) {
            state = parents == null ? next : new NDList(next.get(0).get(parents), next.get(1).get(parents));
            state.attach(image.annotations().getManager());
        }
    }
}
