package dev.captioner.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Word indices with Keras {@code Tokenizer} semantics: words ranked by descending count, ties by
 * first occurrence; index 0 is padding and names no word; the size is the number of distinct
 * tokens plus one. With a minimum count above 1, rarer words map to {@link #UNK}, which takes
 * index 1 as Keras' {@code oov_token} does; with the default of 1 there is no {@code <unk>} and
 * unknown words are dropped when encoding, as {@code texts_to_sequences} drops them.
 */
public final class Vocabulary implements CaptionTokenizer {

    /** The token that stands for words below the minimum count. */
    public static final String UNK = "<unk>";
    /** Index of padding. */
    public static final int PAD = 0;

    private static final String FORMAT = "captioner-vocabulary/1";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> words;
    private final List<Long> counts;
    private final int minCount;
    private final Map<String, Integer> index = new HashMap<>();

    private Vocabulary(List<String> words, List<Long> counts, int minCount) {
        this.words = List.copyOf(words);
        this.counts = List.copyOf(counts);
        this.minCount = minCount;
        for (int i = 0; i < this.words.size(); i++) {
            if (index.putIfAbsent(this.words.get(i), i + 1) != null) {
                throw new IllegalArgumentException("duplicate word '" + this.words.get(i) + "' in vocabulary");
            }
        }
    }

    /**
     * Builds a vocabulary from tokenised captions.
     *
     * @param captions token lists, markers included, in dataset order
     * @param minCount words seen fewer times become {@link #UNK}; 1 keeps all
     * @return the vocabulary
     */
    public static Vocabulary build(Iterable<? extends List<String>> captions, int minCount) {
        if (minCount < 1) {
            throw new IllegalArgumentException("min count must be at least 1, was " + minCount);
        }
        Map<String, long[]> counted = new LinkedHashMap<>();
        for (List<String> caption : captions) {
            for (String w : caption) {
                counted.computeIfAbsent(w, k -> new long[1])[0]++;
            }
        }
        List<Map.Entry<String, long[]>> ranked = new ArrayList<>(counted.entrySet());
        // List.sort is stable, so equal counts keep first-occurrence order, as in Keras.
        ranked.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        List<String> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        long unknown = 0;
        for (Map.Entry<String, long[]> e : ranked) {
            if (e.getValue()[0] >= minCount) {
                words.add(e.getKey());
                counts.add(e.getValue()[0]);
            } else {
                unknown += e.getValue()[0];
            }
        }
        if (minCount > 1) {
            words.add(0, UNK);
            counts.add(0, unknown);
        }
        return new Vocabulary(words, counts, minCount);
    }

    /** @return distinct tokens plus one for padding: the width of the output layer */
    @Override
    public int size() {
        return words.size() + 1;
    }

    /** @return the minimum count the vocabulary was built with */
    public int minCount() {
        return minCount;
    }

    /** @return true if rare and unknown words map to {@link #UNK} */
    public boolean hasUnk() {
        return index.containsKey(UNK) && minCount > 1;
    }

    /**
     * @param word a token
     * @return its index, the index of {@link #UNK} if unknown and there is one, else -1
     */
    public int index(String word) {
        Integer i = index.get(word);
        if (i != null) {
            return i;
        }
        return hasUnk() ? index.get(UNK) : -1;
    }

    /**
     * @param index an index in {@code [1, size())}
     * @return the token
     */
    public String word(int index) {
        if (index < 1 || index > words.size()) {
            throw new IndexOutOfBoundsException("no word at index " + index + " (size " + size() + ")");
        }
        return words.get(index - 1);
    }

    /**
     * @param index an index in {@code [1, size())}
     * @return how often the word occurred in the captions the vocabulary was built from
     */
    public long count(int index) {
        return counts.get(index - 1);
    }

    /**
     * Encodes tokens; unknown ones become {@link #UNK} or, without it, are dropped.
     *
     * @param tokens tokens
     * @return their indices
     */
    public int[] encode(List<String> tokens) {
        int[] out = new int[tokens.size()];
        int n = 0;
        for (String t : tokens) {
            int i = index(t);
            if (i > 0) {
                out[n++] = i;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * Decodes indices, skipping padding.
     *
     * @param ids indices
     * @return the tokens
     */
    public List<String> decode(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id != PAD) {
                out.add(word(id));
            }
        }
        return out;
    }

    /**
     * Padding, the start and end markers, and {@link #UNK} when the vocabulary maps rare words to it.
     */
    @Override
    public boolean special(int id) {
        if (id == PAD) {
            return true;
        }
        if (id < 0 || id >= size()) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + size() + ")");
        }
        String w = word(id);
        return w.equals(Cleaning.START) || w.equals(Cleaning.END) || (w.equals(UNK) && hasUnk());
    }

    /** The words that are not {@linkplain #special special}, joined by single spaces. */
    @Override
    public String text(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            if (!special(id)) {
                if (b.length() > 0) {
                    b.append(' ');
                }
                b.append(word(id));
            }
        }
        return b.toString();
    }

    /** @return the tokens by index, starting at index 1 */
    public List<String> words() {
        return words;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Json(@JsonProperty("format") String format, @JsonProperty("min_count") Integer minCount,
            @JsonProperty("words") List<String> words, @JsonProperty("counts") List<Long> counts) {}

    /**
     * @param file where to write the vocabulary as JSON (atomically)
     */
    public void save(Path file) {
        try {
            AtomicFiles.write(file, MAPPER.writeValueAsBytes(new Json(FORMAT, minCount, words, counts)));
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot write vocabulary: " + e.getMessage(), e);
        }
    }

    /**
     * @param file a file written by {@link #save(Path)}
     * @return the vocabulary
     */
    public static Vocabulary load(Path file) {
        Json json;
        try {
            json = MAPPER.readValue(file.toFile(), Json.class);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new CaptionerException(file + ": not a vocabulary file: " + why, e);
        }
        if (json == null || !FORMAT.equals(json.format())) {
            throw new CaptionerException(file + ": field 'format' must be '" + FORMAT + "'");
        }
        if (json.words() == null || json.counts() == null || json.words().size() != json.counts().size()) {
            throw new CaptionerException(file + ": fields 'words' and 'counts' must be lists of equal length");
        }
        int minCount = json.minCount() == null ? 1 : json.minCount();
        if (minCount < 1) {
            throw new CaptionerException(file + ": field 'min_count' must be at least 1, was " + minCount);
        }
        for (int i = 0; i < json.words().size(); i++) {
            String w = json.words().get(i);
            if (w == null || w.isBlank() || !w.equals(w.strip())) {
                throw new CaptionerException(file + ": field 'words' entry " + i + " must be a word, was "
                        + (w == null ? "null" : "'" + w + "'"));
            }
            Long c = json.counts().get(i);
            if (c == null || c < 0) {
                throw new CaptionerException(file + ": field 'counts' entry " + i + " must be a count, was " + c);
            }
        }
        try {
            return new Vocabulary(json.words(), json.counts(), minCount);
        } catch (IllegalArgumentException e) {
            throw new CaptionerException(file + ": field 'words': " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.words.equals(words) && v.counts.equals(counts) && v.minCount == minCount;
    }

    @Override
    public int hashCode() {
        return words.hashCode() * 31 + minCount;
    }

    @Override
    public String toString() {
        return "Vocabulary[size=" + size() + ", minCount=" + minCount + ", first="
                + words.subList(0, Math.min(5, words.size())) + "]";
    }

    /** @return an unmodifiable map from token to index */
    public Map<String, Integer> asMap() {
        return Collections.unmodifiableMap(index);
    }
}
