package dev.captioner.train;

import dev.captioner.model.CaptionNet;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.util.Torch;
import java.util.Arrays;
import java.util.Random;

/**
 * Draws captions from a network's own next-word distribution, word by word through its decoding
 * step (dropout off, no gradients): {@code perImage} samples of every image in one batched pass,
 * or the greedy caption. Padding, the start marker and {@code <unk>} are never drawn (their
 * probability is given to the other words in proportion). A caption ends with the end marker, or
 * after {@code maxTokens} tokens without one: then it has no end, as in self-critical.pytorch, and
 * no end marker is added that was never drawn. The uniform numbers come from the caller's
 * {@link Random}, so a seeded generator draws the same captions on every run.
 */
public final class CaptionSampler {

    private final CaptionNet net;
    private final int start;
    private final int end;
    private final boolean[] banned;

    /**
     * @param net the network
     * @param vocabulary its vocabulary
     */
    public CaptionSampler(CaptionNet net, Vocabulary vocabulary) {
        this.net = net;
        this.start = vocabulary.index(Cleaning.START);
        this.end = vocabulary.index(Cleaning.END);
        this.banned = new boolean[vocabulary.size()];
        banned[Vocabulary.PAD] = true;
        banned[start] = true;
        if (vocabulary.hasUnk()) {
            banned[vocabulary.index(Vocabulary.UNK)] = true;
        }
    }

    /** @return the end marker's index */
    public int end() {
        return end;
    }

    /** @return the start marker's index */
    public int start() {
        return start;
    }

    /**
     * @param ps parameter store
     * @param m owns the pass's arrays
     * @param features {@code [B, F]} image features
     * @param perImage samples per image; row {@code i * perImage + j} is sample j of image i
     * @param maxTokens most tokens drawn, the end marker included
     * @param random the uniform numbers' source
     * @return per row, the drawn tokens after the start marker, the end marker last if drawn
     */
    public int[][] sample(ParameterStore ps, NDManager m, NDArray features, int perImage, int maxTokens, Random random) {
        return run(ps, m, features, perImage, maxTokens, random);
    }

    /**
     * @param m owns the array
     * @return {@code [1, V]}: 0 for the tokens that may be drawn, -infinity for those never drawn,
     *     to add to logits before the log-softmax that gives the distribution samples come from
     */
    public NDArray bannedMask(NDManager m) {
        float[] mask = new float[banned.length];
        for (int v = 0; v < banned.length; v++) {
            mask[v] = banned[v] ? Float.NEGATIVE_INFINITY : 0f;
        }
        return m.create(mask, new Shape(1, banned.length));
    }

    /**
     * @param ps parameter store
     * @param m owns the pass's arrays
     * @param features {@code [B, F]} image features
     * @param maxTokens most tokens, the end marker included
     * @return per image, the greedy caption's tokens after the start marker, the end marker last if reached
     */
    public int[][] greedy(ParameterStore ps, NDManager m, NDArray features, int maxTokens) {
        return run(ps, m, features, 1, maxTokens, null);
    }

    private int[][] run(ParameterStore ps, NDManager m, NDArray features, int perImage, int maxTokens, Random random) {
        Torch.noGrad();
        int rows = (int) features.getShape().get(0) * perImage;
        int[][] tokens = new int[rows][maxTokens];
        int[] lengths = new int[rows];
        boolean[] ended = new boolean[rows];
        long[] next = new long[rows];
        Arrays.fill(next, start);
        try (NDManager pass = m.newSubManager()) {
            NDArray bannedMask = bannedMask(pass);
            CaptionNet.Decoding decoding = net.startDecoding(ps, features, perImage);
            int going = rows;
            for (int step = 0; step < maxTokens && going > 0; step++) {
                try (NDManager sm = pass.newSubManager()) {
                    // [rows, V]: log-probabilities with the banned tokens at -inf.
                    NDArray logp = decoding.step(sm, ps, sm.create(next, new Shape(rows, 1))).add(bannedMask);
                    long[] drawn = random == null ? logp.argMax(1).toLongArray() : draw(sm, logp, random, rows);
                    decoding.reorder(sm, null); // every row continues its own caption
                    for (int r = 0; r < rows; r++) {
                        if (ended[r]) {
                            next[r] = end;
                            continue;
                        }
                        int t = (int) drawn[r];
                        tokens[r][lengths[r]++] = t;
                        next[r] = t;
                        if (t == end) {
                            ended[r] = true;
                            going--;
                        }
                    }
                }
            }
        }
        int[][] out = new int[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOf(tokens[r], lengths[r]);
        }
        return out;
    }

    /** Inverse-CDF sampling of each row: the number of cumulative probabilities below a uniform draw. */
    private long[] draw(NDManager sm, NDArray logp, Random random, int rows) {
        NDArray p = logp.exp();
        // [rows, V]: cumulative probabilities, each row scaled to end at 1.
        NDArray cdf = p.cumSum(1).div(p.sum(new int[] {1}, true));
        float[] u = new float[rows];
        for (int r = 0; r < rows; r++) {
            u[r] = random.nextFloat();
        }
        long[] idx = cdf.lt(sm.create(u, new Shape(rows, 1))).sum(new int[] {1}).toType(DataType.INT64, false)
                .toLongArray();
        int vocab = banned.length;
        for (int r = 0; r < rows; r++) {
            // Rounding can leave the last cumulative value just under u, or land on a banned token.
            int t = (int) Math.min(idx[r], vocab - 1);
            while (banned[t] && t > 0) {
                t--;
            }
            idx[r] = banned[t] ? end : t;
        }
        return idx;
    }
}
