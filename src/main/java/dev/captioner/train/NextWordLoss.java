package dev.captioner.train;

import dev.captioner.model.CaptionNet;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.captioner.features.FeatureRows;
import java.util.List;

/**
 * The next-word objective: the log-probability of every target token of a batch of captions,
 * computed either over whole captions ({@link Objective#SEQUENCE}: one LSTM pass per caption,
 * outputs at every position) or over the Keras tutorial's (prefix, next word) pairs
 * ({@link Objective#PAIRS}: one LSTM pass per prefix, output at its last token). Padding never
 * reaches the output layer: only the positions that have a target are selected (the masked
 * cross-entropy, written here because DJL's masked loss does not run on PyTorch). Both return
 * the predictions in the same order, caption by caption, position by position.
 */
public final class NextWordLoss {

    private NextWordLoss() {}

    /**
     * A batch's predictions under teacher forcing.
     *
     * @param targetLogProbs {@code [M]} log-probabilities of the M target words
     * @param penalty a scalar the architecture adds to the loss (the attention regulariser), or null
     */
    public record Targets(NDArray targetLogProbs, NDArray penalty) {

        /** @return what training minimises: the mean next-word loss, plus the penalty if any */
        public NDArray loss() {
            NDArray nll = targetLogProbs.mean().neg();
            return penalty == null ? nll : nll.add(penalty);
        }
    }

    /**
     * @param net the network
     * @param ps parameter store
     * @param m manager for the batch's arrays
     * @param batch the captions
     * @param features the feature rows the examples point into
     * @param objective sequence or pairs
     * @param training whether dropout is on
     * @return the log-probabilities of the targets, and the penalty
     */
    public static Targets targets(CaptionNet net, ParameterStore ps, NDManager m, List<CaptionExample> batch,
            FeatureRows features, Objective objective, boolean training) {
        return targets(net, ps, m, batch, features, objective, training, null);
    }

    /**
     * The targets' log-probabilities under the distribution a sampler draws from: the logits
     * with some tokens masked out before the log-softmax, so that the probability of a sampled
     * caption, and its gradient, are those of the distribution it was drawn from.
     *
     * @param net the network
     * @param ps parameter store
     * @param m manager for the batch's arrays
     * @param batch the captions
     * @param features the feature rows the examples point into
     * @param objective sequence or pairs
     * @param training whether dropout is on
     * @param mask {@code [1, V]}: 0 for tokens that may be drawn, -infinity for the others; null for none
     * @return the log-probabilities of the targets, and the penalty
     */
    public static Targets targets(CaptionNet net, ParameterStore ps, NDManager m, List<CaptionExample> batch,
            FeatureRows features, Objective objective, boolean training, NDArray mask) {
        Inputs in = inputs(net, batch, objective);
        NDArray targets = m.create(in.targets, new Shape(in.targets.length, 1));
        CaptionNet.TeacherForced out = forward(net, ps, m, in, features, training);
        NDArray logits = mask == null ? out.logits() : out.logits().add(mask);
        NDArray logp = logits.logSoftmax(1).gather(targets, 1).reshape(in.targets.length);
        return new Targets(logp, out.penalty());
    }

    /**
     * The whole next-word distribution at every prediction.
     *
     * @param net the network
     * @param ps parameter store
     * @param m manager for the batch's arrays
     * @param batch the captions
     * @param features feature rows
     * @param objective sequence or pairs
     * @param training whether dropout is on
     * @return {@code [M, V]} log-probabilities, predictions in caption then position order
     */
    public static NDArray logProbs(CaptionNet net, ParameterStore ps, NDManager m, List<CaptionExample> batch,
            FeatureRows features, Objective objective, boolean training) {
        return forward(net, ps, m, inputs(net, batch, objective), features, training).logits().logSoftmax(1);
    }

    private static Inputs inputs(CaptionNet net, List<CaptionExample> batch, Objective objective) {
        return objective == Objective.SEQUENCE ? sequence(batch) : pairs(batch, net.config().maxLength());
    }

    private static CaptionNet.TeacherForced forward(CaptionNet net, ParameterStore ps, NDManager m, Inputs in,
            FeatureRows features, boolean training) {
        int f = net.config().featureDim();
        // [R, F]: each row's image features, copied from wherever the rows live.
        float[] feat = new float[in.rows * f];
        for (int r = 0; r < in.rows; r++) {
            features.copy(in.featureRows[r], feat, r * f);
        }
        int[] lengths = new int[in.rows];
        for (long p : in.positions) {
            lengths[(int) (p / in.length)]++;
        }
        return net.teacherForce(ps, m.create(feat, new Shape(in.rows, f)), m.create(in.tokens, new Shape(in.rows, in.length)),
                lengths, m.create(in.positions), training);
    }

    /**
     * {@code positions}: flat {@code row * length + position} of each target's prediction, in
     * target order.
     */
    private record Inputs(int rows, int length, int[] featureRows, long[] tokens, long[] positions,
            long[] targets) {}

    /** Each caption once: input tokens[0..n-2], targets tokens[1..n-1]. */
    private static Inputs sequence(List<CaptionExample> batch) {
        int rows = batch.size();
        int length = 1;
        int targets = 0;
        for (CaptionExample e : batch) {
            length = Math.max(length, e.predictions());
            targets += e.predictions();
        }
        long[] tokens = new long[rows * length];
        long[] positions = new long[targets];
        long[] target = new long[targets];
        int[] featureRows = new int[rows];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            int[] t = batch.get(i).tokens();
            featureRows[i] = batch.get(i).featureRow();
            for (int p = 0; p < t.length - 1; p++) {
                tokens[i * length + p] = t[p];
                positions[k] = (long) i * length + p;
                target[k++] = t[p + 1];
            }
        }
        return new Inputs(rows, length, featureRows, tokens, positions, target);
    }

    /**
     * The Keras tutorial's expansion: caption i gives pairs (tokens[0..p], tokens[p+1]) for each p. Each
     * prefix is its own row, padded to the model's maximum length as the Keras tutorial's
     * {@code pad_sequences(maxlen=max_length)} pads it (on the right here: the LSTM being causal,
     * its output at the prefix's last token equals the Keras tutorial's left-padded, masked run), with its
     * own copy of the image.
     */
    private static Inputs pairs(List<CaptionExample> batch, int maxLength) {
        int rows = 0;
        int length = maxLength;
        for (CaptionExample e : batch) {
            rows += e.predictions();
            length = Math.max(length, e.predictions());
        }
        long[] tokens = new long[rows * length];
        long[] positions = new long[rows];
        long[] target = new long[rows];
        int[] featureRows = new int[rows];
        int r = 0;
        for (CaptionExample e : batch) {
            int[] t = e.tokens();
            for (int p = 0; p < t.length - 1; p++) {
                for (int q = 0; q <= p; q++) {
                    tokens[r * length + q] = t[q];
                }
                positions[r] = (long) r * length + p;
                target[r] = t[p + 1];
                featureRows[r] = e.featureRow();
                r++;
            }
        }
        return new Inputs(rows, length, featureRows, tokens, positions, target);
    }
}
