package dev.captioner.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A caption network, whatever its architecture: what training (teacher-forced next-word logits)
 * and decoding (one step at a time, for a beam of partial captions) need from it. The trainer,
 * the decoder and the model directory work with this type only; {@link #create} builds the
 * network a configuration names, as the {@link Architecture} registry says: {@link LstmCaptionNet}
 * (merge, init-inject), {@link AttentionCaptionNet}, {@link TransformerCaptionNet}.
 */
public abstract class CaptionNet extends AbstractBlock {

    private static final byte VERSION = 1;

    /** The configuration the network was built from. */
    protected final ModelConfig config;

    /** @param config sizes and architecture */
    protected CaptionNet(ModelConfig config) {
        super(VERSION);
        this.config = config;
    }

    /**
     * @param config sizes and architecture
     * @return the network for that architecture
     */
    public static CaptionNet create(ModelConfig config) {
        return config.architecture().create(config);
    }

    /** @return the configuration the network was built from */
    public ModelConfig config() {
        return config;
    }

    /**
     * Creates the parameters.
     *
     * @param manager owns the parameters
     */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, config.featureDim()), new Shape(1, 2));
    }

    /**
     * The network's forward arithmetic, what benchmarks set their rates against: multiply-adds
     * for every word predicted (one decoding step of one row), and once per image (projections
     * of its feature that every word shares).
     *
     * @param perWord multiply-adds of one step
     * @param perImage multiply-adds done once per image
     */
    public record MultiplyAdds(double perWord, double perImage) {

        /**
         * @param beam rows decoded per image
         * @param words steps taken
         * @return forward FLOPs (a multiply-add is two) of one caption's search
         */
        public double decodeFlops(int beam, int words) {
            return 2 * ((double) words * beam * perWord + perImage);
        }

        /**
         * @param meanWords mean predictions per caption, over which the image's share is spread
         * @return training FLOPs per predicted word: forward and a backward pass of twice its cost
         */
        public double trainingFlopsPerWord(double meanWords) {
            return 6 * (perWord + perImage / meanWords);
        }
    }

    /**
     * Turns a decoding cache on or off, for networks that keep one (what a benchmark or a test
     * compares); others ignore it.
     *
     * @param on whether decoding reuses what earlier steps computed
     */
    public void useCache(boolean on) {
        // no cache to switch
    }

    /**
     * @return how many tokens of a caption the network can read: its position table's size for a
     *     transformer, unbounded for a recurrent network
     */
    public int positions() {
        return Integer.MAX_VALUE;
    }

    /** @return the network's forward arithmetic; padding and softmax are not counted */
    public abstract MultiplyAdds multiplyAdds();

    /**
     * The network's outputs under teacher forcing.
     *
     * @param logits {@code [M, V]} next-word logits at the requested positions
     * @param penalty a scalar to add to the loss (the attention regulariser), or null
     */
    public record TeacherForced(NDArray logits, NDArray penalty) {}

    /**
     * Runs the network over whole token sequences (teacher forcing).
     *
     * @param ps parameter store
     * @param features {@code [R, F]} the image features of each row
     * @param tokens {@code [R, T]} input tokens, padded with 0
     * @param lengths for each row, how many leading steps of it predict a word
     * @param positions {@code [M]} {@code row * T + step} of each prediction wanted, in order
     * @param training whether dropout is on
     * @return the logits at those positions, and the loss penalty if the architecture has one
     */
    public abstract TeacherForced teacherForce(ParameterStore ps, NDArray features, NDArray tokens, int[] lengths,
            NDArray positions, boolean training);

    /**
     * Starts decoding a batch of images with {@code beam} partial captions each.
     *
     * @param ps parameter store
     * @param features {@code [B, F]} image features
     * @param beam rows per image; row {@code i * beam + j} is beam {@code j} of image {@code i}
     * @return the decoding state, whose arrays belong to the features' manager
     */
    public abstract Decoding startDecoding(ParameterStore ps, NDArray features, int beam);

    /** Decoding, one token at a time, for {@code B × K} rows. */
    public interface Decoding {

        /**
         * Feeds one token to every row.
         *
         * @param step a manager for this step's arrays, closed by the caller after {@link #reorder}
         * @param ps parameter store
         * @param tokens {@code [B × K, 1]} each row's last token
         * @return {@code [B × K, V]} next-word log-probabilities
         */
        NDArray step(NDManager step, ParameterStore ps, NDArray tokens);

        /**
         * @return {@code [B × K, L]} the attention weights of the step just taken, or null for an
         *     architecture without attention
         */
        default NDArray attention() {
            return null;
        }

        /**
         * Makes each row continue the caption of another: row {@code r} takes the state that row
         * {@code parents[r]} reached in the step just taken. The new state belongs to the
         * decoding's own manager, not to the step's.
         *
         * @param step the step's manager
         * @param parents {@code [B × K]} row indices, or null when every row continues its own
         *     caption (always so for greedy search): the new state is then kept as it is
         */
        void reorder(NDManager step, NDArray parents);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = inputs.get(0);
        NDArray tokens = inputs.get(1);
        long rows = tokens.getShape().get(0);
        long steps = tokens.getShape().get(1);
        int[] lengths = new int[(int) rows];
        java.util.Arrays.fill(lengths, (int) steps);
        NDArray positions = tokens.getManager().arange(rows * steps);
        NDArray logits = teacherForce(ps, features, tokens, lengths, positions, training).logits();
        return new NDList(logits.reshape(rows, steps, config.vocabularySize()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[1].get(0), inputShapes[1].get(1), config.vocabularySize())};
    }
}
