package dev.captioner.hf;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.captioner.decode.TokenStepper;
import dev.captioner.util.CaptionerException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One search's pass through a pretrained decoder: the encoder's states for every row, and the
 * key/value cache each step returns, fed back on the next. The first step feeds empty pasts
 * (length 0) with {@code use_cache_branch} false, as Optimum does; later ones the cache with it
 * true. Rows are image-major ({@code i × K + j}); a reorder copies each row's cache from its
 * parent's.
 */
final class OnnxStepper implements TokenStepper {

    private final OrtEnvironment env;
    private final OnnxDecoder decoder;
    private final PretrainedConfig config;
    private final int rows;
    private final OnnxTensor hidden;
    private final OnnxTensor mask;
    /** Each past input's cache: {@code [rows, heads, length, headDim]}, flattened, and its length. */
    private final Map<String, float[]> cache = new LinkedHashMap<>();
    private final Map<String, Integer> lengths = new HashMap<>();
    private boolean started;

    /**
     * @param states {@code [images][T × D]} the encoder's last hidden states
     * @param tokens T, the encoder's sequence length
     * @param beam rows per image
     */
    OnnxStepper(OrtEnvironment env, OnnxDecoder decoder, PretrainedConfig config, float[][] states, int tokens,
            int beam) throws OrtException {
        this.env = env;
        this.decoder = decoder;
        this.config = config;
        this.rows = states.length * beam;
        int width = states[0].length;
        FloatBuffer h = FloatBuffer.allocate(rows * width);
        for (int r = 0; r < rows; r++) {
            h.put(states[r / beam]);
        }
        h.rewind();
        hidden = OnnxTensor.createTensor(env, h, new long[] {rows, tokens, width / tokens});
        OnnxTensor m = null;
        if (decoder.mask != null) {
            long[] ones = new long[rows * tokens];
            java.util.Arrays.fill(ones, 1);
            try {
                m = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), new long[] {rows, tokens});
            } catch (OrtException | RuntimeException e) {
                hidden.close();
                throw e;
            }
        }
        mask = m;
    }

    @Override
    public float[] step(long[] tokens) {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            in.put(decoder.ids, OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {rows, 1}));
            in.put(decoder.hidden, hidden);
            if (mask != null) {
                in.put(decoder.mask, mask);
            }
            OrtSession session = started ? decoder.cached : decoder.first;
            if (decoder.merged || started) {
                for (String p : decoder.pasts) {
                    int len = started ? lengths.get(p) : 0;
                    float[] data = started ? cache.get(p) : new float[0];
                    in.put(p, OnnxTensor.createTensor(env, FloatBuffer.wrap(data),
                            new long[] {rows, config.heads(), len, config.headDim()}));
                }
            }
            if (decoder.cacheBranch != null) {
                in.put(decoder.cacheBranch, OnnxTensor.createTensor(env, new boolean[] {started}));
            }
            float[] logp;
            try (OrtSession.Result out = session.run(in)) {
                logp = logSoftmaxOfLast(out.get(decoder.logits).orElseThrow());
                for (String p : decoder.pasts) {
                    var present = out.get(OnnxDecoder.present(p));
                    // Cross-attention pasts are fixed after the first step; a merged graph's cached
                    // branch returns empty placeholders for them, which must not replace them.
                    boolean fixed = started && p.contains(".encoder.");
                    if (present.isPresent() && !fixed) {
                        OnnxTensor t = (OnnxTensor) present.get();
                        long[] shape = t.getInfo().getShape();
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] data = new float[fb.remaining()];
                        fb.get(data);
                        cache.put(p, data);
                        lengths.put(p, (int) shape[2]);
                    }
                }
            }
            for (String p : decoder.pasts) {
                if (!cache.containsKey(p)) {
                    throw new CaptionerException("the pretrained decoder gave no output '" + OnnxDecoder.present(p)
                            + "' for its input '" + p + "'");
                }
            }
            started = true;
            return logp;
        } catch (OrtException e) {
            throw new CaptionerException("the pretrained decoder failed: " + OnnxDecoder.firstLine(e), e);
        } finally {
            for (Map.Entry<String, OnnxTensor> e : in.entrySet()) {
                if (e.getValue() != hidden && e.getValue() != mask) {
                    e.getValue().close();
                }
            }
        }
    }

    /** @return {@code [rows × V]} log-softmax of the last position of {@code [rows, t, V]} logits */
    private float[] logSoftmaxOfLast(OnnxValue value) {
        OnnxTensor t = (OnnxTensor) value;
        long[] shape = t.getInfo().getShape();
        int v = (int) shape[2];
        int t0 = (int) shape[1] - 1;
        FloatBuffer fb = t.getFloatBuffer();
        float[] out = new float[rows * v];
        for (int r = 0; r < rows; r++) {
            int base = (r * (int) shape[1] + t0) * v;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < v; i++) {
                max = Math.max(max, fb.get(base + i));
            }
            double sum = 0;
            for (int i = 0; i < v; i++) {
                sum += Math.exp(fb.get(base + i) - max);
            }
            float log = (float) Math.log(sum);
            for (int i = 0; i < v; i++) {
                out[r * v + i] = fb.get(base + i) - max - log;
            }
        }
        return out;
    }

    @Override
    public void reorder(long[] parents) {
        if (parents == null) {
            return;
        }
        for (Map.Entry<String, float[]> e : cache.entrySet()) {
            float[] old = e.getValue();
            int per = old.length / rows;
            float[] moved = new float[old.length];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(old, (int) parents[r] * per, moved, r * per, per);
            }
            e.setValue(moved);
        }
    }

    @Override
    public void close() {
        hidden.close();
        if (mask != null) {
            mask.close();
        }
    }
}
