package dev.captioner.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.captioner.util.CaptionerException;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba) with global-norm gradient clipping, kept here rather than taken from DJL
 * so that its moments can be saved and a resumed run continues exactly where it stopped.
 */
public final class AdamOptimizer implements AutoCloseable {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;

    private final List<Parameter> params = new ArrayList<>();
    private final NDManager manager;
    private final NDList m = new NDList();
    private final NDList v = new NDList();
    private final float learningRate;
    private final float clipNorm;
    private java.util.function.LongToDoubleFunction schedule = step -> 1;
    private long step;
    private float epsilon = 1e-7f;

    /**
     * @param parameters the network's parameters
     * @param learningRate step size
     * @param clipNorm largest global gradient norm
     * @param manager owns the moments
     */
    public AdamOptimizer(PairList<String, Parameter> parameters, float learningRate, float clipNorm, NDManager manager) {
        this.learningRate = learningRate;
        this.clipNorm = clipNorm;
        this.manager = manager;
        for (Pair<String, Parameter> p : parameters) {
            if (!p.getValue().requiresGradient()) {
                // Running statistics (BatchNorm's) are kept by the forward pass, not trained.
                continue;
            }
            params.add(p.getValue());
            NDArray w = p.getValue().getArray();
            m.add(manager.zeros(w.getShape(), w.getDataType()));
            v.add(manager.zeros(w.getShape(), w.getDataType()));
        }
    }

    /**
     * @param value the term added to the root of the second moment (1e-7 unless set; DJL's Adam
     *     uses 1e-8)
     * @return this optimizer
     */
    public AdamOptimizer epsilon(float value) {
        this.epsilon = value;
        return this;
    }

    /**
     * Sets the learning rate's multiplier per step (warm-up and decay); the step count is part of
     * the optimizer's saved state, so a resumed run continues the schedule where it was.
     *
     * @param factor the multiplier of update {@code n} (counted from 1)
     * @return this optimizer
     */
    public AdamOptimizer schedule(java.util.function.LongToDoubleFunction factor) {
        this.schedule = factor;
        return this;
    }

    /**
     * Applies one update from the gradients the last backward pass left, then clears them.
     *
     * @return the global gradient norm before clipping
     */
    public float step() {
        List<NDArray> grads = new ArrayList<>(params.size());
        double sq = 0;
        for (Parameter p : params) {
            NDArray g = p.getArray().getGradient();
            grads.add(g);
            try (NDArray n = g.norm()) {
                double norm = n.getFloat();
                sq += norm * norm;
            }
        }
        float norm = (float) Math.sqrt(sq);
        float scale = norm > clipNorm ? clipNorm / norm : 1f;
        step++;
        float lr = (float) (learningRate * schedule.applyAsDouble(step));
        float lrT = (float) (lr * Math.sqrt(1 - Math.pow(BETA2, step)) / (1 - Math.pow(BETA1, step)));
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).getArray();
            NDArray g = grads.get(i);
            // DJL's fused update (one native call: moments, bias-corrected step, zeroed gradient);
            // the clipping scale rides on its gradient rescaling.
            w.getNDArrayInternal().adamUpdate(new NDList(w, g, m.get(i), v.get(i)), new NDList(w), lr, lrT,
                    0f, scale, -1f, BETA1, BETA2, epsilon, false, false);
            g.close();
        }
        return norm;
    }

    /** @return updates applied so far */
    public long steps() {
        return step;
    }

    /**
     * Writes the moments and step count; the caller makes the file durable (it is part of a
     * {@link TrainingCheckpoint}).
     *
     * @param file where to write
     * @throws IOException on a write error
     */
    void write(Path file) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream data = new DataOutputStream(new BufferedOutputStream(raw))) {
            data.writeLong(step);
            byte[] moments = concat(m, v).encode();
            data.writeInt(moments.length);
            data.write(moments);
        }
    }

    /**
     * @param file a file written by {@link #write} for the same network
     * @throws CaptionerException naming the file if it is unreadable or for another network
     */
    public void load(Path file) {
        NDList all = null;
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            long s = in.readLong();
            int length = in.readInt();
            if (length < 0 || length > Files.size(file)) {
                throw new CaptionerException(file + ": optimizer state is truncated or corrupt");
            }
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new CaptionerException(file + ": optimizer state is truncated");
            }
            all = NDList.decode(manager, bytes);
            if (all.size() != 2 * params.size()) {
                throw new CaptionerException(file + ": optimizer state is for another network");
            }
            for (int i = 0; i < params.size(); i++) {
                if (!all.get(i).getShape().equals(m.get(i).getShape())
                        || !all.get(params.size() + i).getShape().equals(v.get(i).getShape())) {
                    throw new CaptionerException(file + ": optimizer state is for another network");
                }
            }
            for (int i = 0; i < params.size(); i++) {
                m.set(i, all.get(i)).close();
                v.set(i, all.get(params.size() + i)).close();
            }
            all = null;
            step = s;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CaptionerException ce) {
                throw ce;
            }
            throw new CaptionerException(file + ": cannot read optimizer state: " + e.getMessage(), e);
        } finally {
            if (all != null) {
                // Refused: the decoded arrays are not kept.
                all.close();
            }
        }
    }

    private static NDList concat(NDList a, NDList b) {
        NDList all = new NDList(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    @Override
    public void close() {
        m.close();
        v.close();
    }
}
