package dev.captioner.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * The next-word objective: the log-probability of every target token of a batch of captions,
 * computed either over whole captions ({@link Objective#SEQUENCE}: one LSTM pass per caption,
 * outputs at every position) or over the seed's (prefix, next word) pairs
 * ({@link Objective#PAIRS}: one LSTM pass per prefix, output at its last token). Padding never
 * reaches the output layer: only the positions that have a target are selected (the masked
 * cross-entropy, written here because DJL's masked loss does not run on PyTorch). Both return
 * the predictions in the same order, caption by caption, position by position.
 */
public final class NextWordLoss {

    private NextWordLoss() {}

    /**
     * @param net the network
     * @param ps parameter store
     * @param m manager for the batch's arrays
     * @param batch the captions
     * @param features {@code [rows][F]} feature matrix the examples point into
     * @param objective sequence or pairs
     * @param training whether dropout is on
     * @return {@code [M]} log-probabilities of the M targets
     */
    public static NDArray targetLogProbs(CaptionNet net, ParameterStore ps, NDManager m, List<CaptionExample> batch,
            float[][] features, Objective objective, boolean training) {
        Inputs in = objective == Objective.SEQUENCE ? sequence(batch) : pairs(batch, net.config().maxLength());
        NDArray targets = m.create(in.targets, new Shape(in.targets.length, 1));
        return logProbs(net, ps, m, in, features, training).gather(targets, 1).reshape(in.targets.length);
    }

    /**
     * The whole next-word distribution at every prediction.
     *
     * @param net the network
     * @param ps parameter store
     * @param m manager for the batch's arrays
     * @param batch the captions
     * @param features feature matrix
     * @param objective sequence or pairs
     * @param training whether dropout is on
     * @return {@code [M, V]} log-probabilities, predictions in caption then position order
     */
    public static NDArray logProbs(CaptionNet net, ParameterStore ps, NDManager m, List<CaptionExample> batch,
            float[][] features, Objective objective, boolean training) {
        return logProbs(net, ps, m, objective == Objective.SEQUENCE ? sequence(batch) : pairs(batch, net.config().maxLength()), features, training);
    }

    private static NDArray logProbs(CaptionNet net, ParameterStore ps, NDManager m, Inputs in, float[][] features,
            boolean training) {
        int f = net.config().featureDim();
        float[] feat = new float[in.rows * f];
        for (int r = 0; r < in.rows; r++) {
            System.arraycopy(features[in.featureRows[r]], 0, feat, r * f, f);
        }
        NDArray featArr = m.create(feat, new Shape(in.rows, f));
        NDArray tokens = m.create(in.tokens, new Shape(in.rows, in.length));
        NDArray positions = m.create(in.positions);

        NDArray image = net.image(ps, featArr, training);
        NDList text = net.text(ps, tokens, net.initialState(image), training);
        NDArray merged = net.merge(text.get(0), image);
        // Only positions with a target go on: padding never reaches the head or the output layer.
        NDArray flat = merged.reshape((long) in.rows * in.length, net.config().units());
        NDArray selected = flat.get(positions);
        NDArray hidden = net.head(ps, selected, training);
        return net.logits(ps, hidden, training).logSoftmax(1);
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
     * The seed's expansion: caption i gives pairs (tokens[0..p], tokens[p+1]) for each p. Each
     * prefix is its own row, padded to the model's maximum length as the seed's
     * {@code pad_sequences(maxlen=max_length)} pads it (on the right here: the LSTM being causal,
     * its output at the prefix's last token equals the seed's left-padded, masked run), with its
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
