package dev.captioner.data;

/**
 * Token ids to caption text: the one thing search, evaluation, serving and Spark need from a
 * model's tokenizer, whichever kind it is. The project's word-level {@link Vocabulary} (Keras
 * semantics) and a Hugging Face byte-level BPE {@code tokenizer.json} ({@code hf.ByteLevelText})
 * both implement it, so a caption is made from ids the same way for every model.
 */
public interface CaptionTokenizer {

    /** @return how many ids the tokenizer defines (the width of the model's output) */
    int size();

    /**
     * @param id a token id
     * @return whether it is a marker rather than text (padding, start, end, unknown-word and the
     *     like), which {@link #text} skips
     */
    boolean special(int id);

    /**
     * @param ids token ids, as a search chose them
     * @return the caption: special tokens skipped, words joined as the tokenizer joins them,
     *     ends trimmed
     * @throws IllegalArgumentException for an id the tokenizer does not define
     */
    String text(int[] ids);
}
