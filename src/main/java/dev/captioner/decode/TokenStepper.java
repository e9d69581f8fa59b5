package dev.captioner.decode;

/**
 * A network stepped one token at a time by {@link TokenSearch}: a trained caption model's
 * decoding state, or a pretrained decoder's key/value cache. Rows are image-major: row
 * {@code i × K + j} is beam {@code j} of image {@code i}.
 */
public interface TokenStepper extends AutoCloseable {

    /**
     * Feeds one token to every row.
     *
     * @param tokens {@code [rows]} each row's last token
     * @return {@code [rows × vocabulary]} log-probabilities of the next token
     */
    float[] step(long[] tokens);

    /**
     * @return {@code [rows × L]} the attention weights over the image's L locations that the step
     *     just taken used, or null for a network that shows none
     */
    default float[] attention() {
        return null;
    }

    /**
     * Makes each row continue another's: row {@code r} takes the state row {@code parents[r]}
     * reached in the step just taken.
     *
     * @param parents {@code [rows]} row indices, or null when every row continues its own
     */
    void reorder(long[] parents);

    /** Frees what the last step left. */
    @Override
    void close();
}
