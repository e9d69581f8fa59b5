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
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.Initializer;
import dev.captioner.vision.GridShape;
import java.util.ArrayList;
import java.util.List;

/**
 * A transformer caption decoder (Vaswani et al. 2017, pre-layer-norm as in most current
 * decoders). The memory is the image: its grid's annotation vectors, or its one pooled vector,
 * each projected to {@code d_model} and normalised. The words are embedded, given learned
 * positions, and pass N layers of causal self-attention, cross-attention over the memory and a
 * ReLU feed-forward block, each a residual branch after a layer norm, with dropout on the
 * embeddings and every branch's output; a final layer norm and the output layer (optionally tied
 * to the embeddings) give the next word's logits. Heads run as one batched product
 * ({@code [N, H, T, d/H]}); no loop runs over heads or positions.
 *
 * <p>Decoding keeps, per layer, the keys and values of the words so far, so each new word costs
 * one position's work against the cache; the memory's keys and values are computed once per image.
 * {@link #useCache(boolean) useCache(false)} recomputes the whole prefix every step instead (for
 * tests and the decode benchmark). The cross-attention of one layer (the last unless the settings
 * say otherwise), averaged over heads, is each word's attention map. Training, where each
 * caption's memory is used once, may instead attend through the key and value weights without
 * projecting every location (the same function, fewer multiply-adds for short captions over large
 * grids; see {@link #attendThroughWeights(long)}).
 */
public final class TransformerCaptionNet extends CaptionNet {

    private final ModelSpec.TransformerSpec t;
    private final int d;
    private final int heads;
    private final int dh;
    /** The memory: locations × depth of a grid, or 1 × the feature length. */
    private final int locations;
    private final int depth;
    private final boolean grid;
    private final Parameter embedding;
    private final Parameter positions;
    private final Parameter outputBias;
    private final Linear memoryProjection;
    private final LayerNorm memoryNorm;
    private final List<Layer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear output;
    private final Dropout dropout;
    private volatile boolean cache = true;
    private volatile Boolean absorb;

    /** One decoder layer's blocks. */
    private record Layer(LayerNorm selfNorm, Linear qkv, Linear selfOut, LayerNorm crossNorm, Linear crossQuery,
            Linear crossKeyValue, Linear crossOut, LayerNorm ffnNorm, Linear ffn1, Linear ffn2) {}

    /** @param config sizes, with the transformer settings */
    TransformerCaptionNet(ModelConfig config) {
        super(config);
        this.t = config.settings(ModelSpec.TransformerSpec.class);
        this.d = t.dModel();
        this.heads = t.heads();
        this.dh = d / heads;
        GridShape g = config.grid();
        this.grid = g != null;
        this.locations = g != null ? g.locations() : 1;
        this.depth = g != null ? g.depth() : config.featureDim();
        int v = config.vocabularySize();
        embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer(0.02f)).optShape(new Shape(v, d)).build());
        positions = addParameter(Parameter.builder().setName("positions").setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer(0.02f)).optShape(new Shape(config.maxLength(), d)).build());
        memoryProjection = addChildBlock("memoryProjection", Linear.builder().setUnits(d).build());
        memoryNorm = addChildBlock("memoryNorm", LayerNorm.builder().build());
        for (int i = 0; i < t.layers(); i++) {
            String p = "layer" + i + ".";
            layers.add(new Layer(
                    addChildBlock(p + "selfNorm", LayerNorm.builder().build()),
                    addChildBlock(p + "qkv", Linear.builder().setUnits(3L * d).build()),
                    addChildBlock(p + "selfOut", Linear.builder().setUnits(d).build()),
                    addChildBlock(p + "crossNorm", LayerNorm.builder().build()),
                    addChildBlock(p + "crossQuery", Linear.builder().setUnits(d).build()),
                    addChildBlock(p + "crossKeyValue", Linear.builder().setUnits(2L * d).build()),
                    addChildBlock(p + "crossOut", Linear.builder().setUnits(d).build()),
                    addChildBlock(p + "ffnNorm", LayerNorm.builder().build()),
                    addChildBlock(p + "ffn1", Linear.builder().setUnits(t.ffnWidth()).build()),
                    addChildBlock(p + "ffn2", Linear.builder().setUnits(d).build())));
        }
        finalNorm = addChildBlock("finalNorm", LayerNorm.builder().build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.dropout()).build());
        if (t.tieEmbeddings()) {
            output = null;
            outputBias = addParameter(Parameter.builder().setName("outputBias").setType(Parameter.Type.BIAS)
                    .optInitializer(Initializer.ZEROS).optShape(new Shape(v)).build());
        } else {
            output = addChildBlock("output", Linear.builder().setUnits(v).build());
            outputBias = null;
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape model = new Shape(1, d);
        memoryProjection.initialize(manager, dataType, new Shape(1, depth));
        memoryNorm.initialize(manager, dataType, model);
        for (Layer l : layers) {
            l.selfNorm().initialize(manager, dataType, model);
            l.qkv().initialize(manager, dataType, model);
            l.selfOut().initialize(manager, dataType, model);
            l.crossNorm().initialize(manager, dataType, model);
            l.crossQuery().initialize(manager, dataType, model);
            l.crossKeyValue().initialize(manager, dataType, model);
            l.crossOut().initialize(manager, dataType, model);
            l.ffnNorm().initialize(manager, dataType, model);
            l.ffn1().initialize(manager, dataType, model);
            l.ffn2().initialize(manager, dataType, new Shape(1, t.ffnWidth()));
        }
        finalNorm.initialize(manager, dataType, model);
        dropout.initialize(manager, dataType, model);
        if (output != null) {
            output.initialize(manager, dataType, model);
        }
    }

    /** Switches decoding between the key/value cache (default) and recomputing the prefix every step. */
    @Override
    public void useCache(boolean on) {
        this.cache = on;
    }

    /**
     * Fixes how teacher forcing attends over the memory (for tests): true through the layers'
     * weights, false through the memory's keys and values, null (default) whichever is cheaper.
     *
     * @param throughWeights the choice, or null
     */
    void forceAttendThroughWeights(Boolean throughWeights) {
        this.absorb = throughWeights;
    }

    private static NDArray apply(ai.djl.nn.Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** @return {@code [R, L, d]}: the image's vectors projected and normalised */
    private NDArray memory(ParameterStore ps, NDArray features, boolean training) {
        NDArray m = features.reshape(features.getShape().get(0), locations, depth);
        return apply(memoryNorm, ps, apply(memoryProjection, ps, m, training), training);
    }

    /** {@code [n, t, d]} to {@code [n, H, t, d/H]}. */
    private NDArray split(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, dh).transpose(0, 2, 1, 3);
    }

    /** {@code [n, H, t, d/H]} to {@code [n, t, d]}. */
    private NDArray merge(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), d);
    }

    /** Scaled dot-product weights {@code [n, H, tq, tk]}, with an additive mask if given. */
    private NDArray weights(NDArray q, NDArray k, NDArray mask) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(GraphScalar.of(q, 1.0 / Math.sqrt(dh)));
        return (mask == null ? scores : scores.add(mask)).softmax(-1);
    }

    /** @return {@code [T, T]}: 0 where a position may look, a large negative number after it */
    private static NDArray causalMask(NDManager m, int steps) {
        float[] mask = new float[steps * steps];
        for (int i = 0; i < steps; i++) {
            for (int j = i + 1; j < steps; j++) {
                mask[i * steps + j] = -1e9f;
            }
        }
        return m.create(mask, new Shape(steps, steps));
    }

    /** @return the position table's size: the longest training caption, markers included */
    @Override
    public int positions() {
        return config.maxLength();
    }

    private NDArray embed(ParameterStore ps, NDArray tokens, int firstPosition, boolean training) {
        NDArray e = ps.getValue(embedding, tokens.getDevice(), training);
        NDArray x = tokens.getNDArrayInternal().embedding(tokens, e, SparseFormat.DENSE).singletonOrThrow();
        int steps = (int) tokens.getShape().get(1);
        if (firstPosition + steps > config.maxLength()) {
            throw new IllegalArgumentException("the transformer has positions for " + config.maxLength()
                    + " tokens, the longest training caption; asked for " + (firstPosition + steps));
        }
        NDArray p = ps.getValue(positions, tokens.getDevice(), training).get("{}:{}", firstPosition, firstPosition + steps);
        return apply(dropout, ps, x.add(p), training);
    }

    private NDArray logits(ParameterStore ps, NDArray h, boolean training) {
        NDArray n = apply(finalNorm, ps, h, training);
        if (output != null) {
            return apply(output, ps, n, training);
        }
        NDArray e = ps.getValue(embedding, n.getDevice(), training);
        return n.matMul(e.transpose()).add(ps.getValue(outputBias, n.getDevice(), training));
    }

    /** One layer's cross-attention keys and values of a memory, each {@code [n, H, L, d/H]}. */
    private NDList crossKeyValues(ParameterStore ps, Layer l, NDArray memory, boolean training) {
        NDList kv = apply(l.crossKeyValue(), ps, memory, training).split(2, 2);
        return new NDList(split(kv.get(0)), split(kv.get(1)));
    }

    /**
     * One layer's memory for cross-attention without its keys and values: the memory
     * {@code [n, L, d]}, the key weights per head {@code [H, d/H, d]}, the value weights per head
     * transposed {@code [H, d, d/H]} and the value bias {@code [d]}. The key bias is left out: it
     * adds the same number to every location's score, which the softmax ignores.
     */
    private NDList crossWeights(ParameterStore ps, Layer l, NDArray memory, boolean training) {
        NDArray w = ps.getValue(l.crossKeyValue().getParameters().get("weight"), memory.getDevice(), training);
        NDArray b = ps.getValue(l.crossKeyValue().getParameters().get("bias"), memory.getDevice(), training);
        NDArray keys = w.get("0:{}, :", d).reshape(heads, dh, d);
        NDArray values = w.get("{}:, :", d).reshape(heads, dh, d).transpose(0, 2, 1);
        return new NDList(memory, keys, values, b.get("{}:", d));
    }

    /**
     * Whether teacher forcing over {@code steps} positions should attend through the layers'
     * weights rather than the memory's keys and values. Both compute the same function:
     * scores {@code q·(M·Wk)ᵀ = (q·Wk)·Mᵀ} and values {@code α·(M·Wv) = (α·M)·Wv}. Projecting L
     * locations costs {@code 2·L·d²} multiply-adds per caption and layer; going through the weights
     * costs {@code 2·t·d² + 2·H·t·L·d}, less when a caption has fewer positions times heads than
     * the model's width (a 14×14 grid, 8 heads, d = 256: up to 19 positions). Taken only when it
     * saves a third, since its products are smaller and so less efficient.
     */
    private boolean attendThroughWeights(long steps) {
        double dd = d;
        double projected = 2 * locations * dd * dd + 2 * steps * dd * locations;
        double through = 2 * steps * dd * dd + 2 * heads * steps * dd * locations;
        return absorb == null ? through < projected * 2 / 3 : absorb;
    }

    /**
     * Cross-attention of queries {@code [n, H, t, d/H]} over one layer's memory, given as its keys
     * and values ({@link #crossKeyValues}) or through the weights ({@link #crossWeights}).
     *
     * @return the attended values merged over heads {@code [n, t, d]} and the weights {@code [n, H, t, L]}
     */
    private NDList attend(NDArray q, NDList cross) {
        if (cross.size() == 2) {
            NDArray alpha = weights(q, cross.get(0), null);
            return new NDList(merge(alpha.matMul(cross.get(1))), alpha);
        }
        NDArray memory = cross.get(0);
        Shape s = q.getShape();
        long n = s.get(0);
        long steps = s.get(2);
        long l = memory.getShape().get(1);
        // [H, n·t, d/H] × [H, d/H, d] → the queries in the memory's space, [n, H·t, d]
        NDArray qm = q.transpose(1, 0, 2, 3).reshape(heads, n * steps, dh).matMul(cross.get(1))
                .reshape(heads, n, steps, d).transpose(1, 0, 2, 3).reshape(n, heads * steps, d);
        NDArray scores = qm.matMul(memory.transpose(0, 2, 1)).mul(GraphScalar.of(qm, 1.0 / Math.sqrt(dh)));
        NDArray alpha = scores.softmax(-1); // [n, H·t, L]
        // [n, H·t, L] × [n, L, d] → each head's weighted memory, then its value weights: [H, n·t, d/H]
        NDArray mixed = alpha.matMul(memory).reshape(n, heads, steps, d).transpose(1, 0, 2, 3)
                .reshape(heads, n * steps, d).matMul(cross.get(2));
        NDArray attended = mixed.reshape(heads, n, steps, dh).transpose(1, 2, 0, 3).reshape(n, steps, d)
                .add(cross.get(3));
        return new NDList(attended, alpha.reshape(n, heads, steps, l));
    }

    /**
     * One layer over {@code [n, t, d]} inputs.
     *
     * @param selfKeys keys and values of earlier positions ({@code [n, H, p, d/H]} each), or null
     * @param mask the causal mask over the inputs, or null (one new position against a cache)
     * @return the layer's output, its new self-attention keys and values (cache included), and its
     *     cross-attention weights {@code [n, H, t, L]}
     */
    private NDList layer(ParameterStore ps, Layer l, NDArray x, NDList selfKeys, NDList cross, NDArray mask,
            boolean training) {
        NDList qkv = apply(l.qkv(), ps, apply(l.selfNorm(), ps, x, training), training).split(3, 2);
        NDArray q = split(qkv.get(0));
        NDArray k = split(qkv.get(1));
        NDArray v = split(qkv.get(2));
        if (selfKeys != null) {
            k = selfKeys.get(0).concat(k, 2);
            v = selfKeys.get(1).concat(v, 2);
        }
        NDArray self = merge(weights(q, k, mask).matMul(v));
        x = x.add(apply(dropout, ps, apply(l.selfOut(), ps, self, training), training));
        NDArray cq = split(apply(l.crossQuery(), ps, apply(l.crossNorm(), ps, x, training), training));
        NDList attended = attend(cq, cross);
        NDArray alpha = attended.get(1);
        x = x.add(apply(dropout, ps, apply(l.crossOut(), ps, attended.get(0), training), training));
        NDArray f = apply(l.ffn1(), ps, apply(l.ffnNorm(), ps, x, training), training).getNDArrayInternal().relu();
        x = x.add(apply(dropout, ps, apply(l.ffn2(), ps, f, training), training));
        return new NDList(x, k, v, alpha);
    }

    /** Runs every layer over a whole prefix: {@code [n, T]} tokens to {@code [n, T, d]} states, and the picture layer's weights. */
    private NDList prefix(ParameterStore ps, NDArray tokens, List<NDList> cross, boolean training) {
        NDArray x = embed(ps, tokens, 0, training);
        NDArray mask = causalMask(tokens.getManager(), (int) tokens.getShape().get(1));
        NDArray picture = null;
        for (int i = 0; i < layers.size(); i++) {
            NDList out = layer(ps, layers.get(i), x, null, cross.get(i), mask, training);
            x = out.get(0);
            if (i == t.pictureLayer()) {
                picture = out.get(3);
            }
        }
        return new NDList(x, picture);
    }

    private List<NDList> cross(ParameterStore ps, NDArray memory, boolean throughWeights, boolean training) {
        List<NDList> out = new ArrayList<>();
        for (Layer l : layers) {
            out.add(throughWeights ? crossWeights(ps, l, memory, training) : crossKeyValues(ps, l, memory, training));
        }
        return out;
    }

    @Override
    public TeacherForced teacherForce(ParameterStore ps, NDArray features, NDArray tokens, int[] lengths,
            NDArray positionsWanted, boolean training) {
        long rows = tokens.getShape().get(0);
        long steps = tokens.getShape().get(1);
        List<NDList> cross = cross(ps, memory(ps, features, training), attendThroughWeights(steps), training);
        NDArray h = prefix(ps, tokens, cross, training).get(0);
        NDArray selected = h.reshape(rows * steps, d).get(positionsWanted);
        return new TeacherForced(logits(ps, selected, training), null);
    }

    @Override
    public MultiplyAdds multiplyAdds() {
        double dd = d;
        double l = locations;
        double v = config.vocabularySize();
        // Per word and layer: QKV and self output 4d², scores and context against the prefix
        // (half the longest caption on average) 2·(T/2)·d, cross query and output 2d², scores and
        // context over the memory 2·L·d, feed-forward 2·d·ffn; then the output layer d·V. Once per
        // image: the memory's projection and each layer's memory keys and values.
        double perLayer = 4 * dd * dd + config.maxLength() * dd + 2 * dd * dd + 2 * l * dd + 2 * dd * t.ffnWidth();
        return new MultiplyAdds(t.layers() * perLayer + dd * v, l * depth * dd + t.layers() * 2 * l * dd * dd);
    }

    @Override
    public Decoding startDecoding(ParameterStore ps, NDArray features, int beam) {
        NDArray memory = memory(ps, features.repeat(0, beam), false);
        List<NDList> cross = cross(ps, memory, false, false);
        return cache ? new CachedDecoding(cross) : new RecomputingDecoding(cross);
    }

    /** Each row's keys and values of the words so far, per layer; the memory's, computed once. */
    private final class CachedDecoding implements Decoding {
        private final List<NDList> cross;
        private final NDManager keep;
        private List<NDList> selfKeys;
        private List<NDList> next;
        private NDArray alpha;
        private int position;

        CachedDecoding(List<NDList> cross) {
            this.cross = cross;
            this.keep = cross.get(0).get(0).getManager();
        }

        @Override
        public NDArray step(NDManager step, ParameterStore ps, NDArray tokens) {
            if (selfKeys != null) {
                // The old cache is freed with the step; reorder() keeps the new one.
                selfKeys.forEach(kv -> kv.attach(step));
            }
            NDArray x = embed(ps, tokens, position, false);
            next = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                NDList out = layer(ps, layers.get(i), x, selfKeys == null ? null : selfKeys.get(i), cross.get(i), null,
                        false);
                x = out.get(0);
                next.add(new NDList(out.get(1), out.get(2)));
                if (i == t.pictureLayer()) {
                    alpha = out.get(3).mean(new int[] {1}).squeeze(1);
                }
            }
            position++;
            return logits(ps, x.squeeze(1), false).logSoftmax(1);
        }

        @Override
        public NDArray attention() {
            return grid ? alpha : null;
        }

        @Override
        public void reorder(NDManager step, NDArray parents) {
            List<NDList> kept = new ArrayList<>();
            for (NDList kv : next) {
                NDList r = parents == null ? kv : new NDList(kv.get(0).get(parents), kv.get(1).get(parents));
                r.attach(keep);
                kept.add(r);
            }
            selfKeys = kept;
        }
    }

    /** Recomputes the whole prefix every step: what the cache must equal. */
    private final class RecomputingDecoding implements Decoding {
        private final List<NDList> cross;
        private final NDManager keep;
        private NDArray history;
        private NDArray next;
        private NDArray alpha;

        RecomputingDecoding(List<NDList> cross) {
            this.cross = cross;
            this.keep = cross.get(0).get(0).getManager();
        }

        @Override
        public NDArray step(NDManager step, ParameterStore ps, NDArray tokens) {
            if (history != null) {
                history.attach(step);
            }
            NDArray all = history == null ? tokens : history.concat(tokens, 1);
            next = all;
            NDList out = prefix(ps, all, cross, false);
            long last = all.getShape().get(1) - 1;
            alpha = out.get(1).get(":, :, {}, :", last).mean(new int[] {1});
            return logits(ps, out.get(0).get(":, {}, :", last), false).logSoftmax(1);
        }

        @Override
        public NDArray attention() {
            return grid ? alpha : null;
        }

        @Override
        public void reorder(NDManager step, NDArray parents) {
            history = parents == null ? next : next.get(parents);
            history.attach(keep);
        }
    }
}
