package dev.captioner.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How raw captions become tokens. Both cleaners lowercase, remove every character that is not
 * an ASCII letter or whitespace (so {@code t-shirt} becomes {@code tshirt} and digits vanish),
 * and split on whitespace; they differ in whether one-letter words survive. Training captions
 * are then wrapped in the {@link #START} and {@link #END} markers.
 */
public enum Cleaning {
    /** What the Keras "VGG16 + LSTM on Flickr8k" tutorial does: one-letter words ("a") are dropped. */
    KERAS_TUTORIAL("keras-tutorial", 2),
    /** The papers' convention: one-letter words are kept. */
    KEEP_SHORT("keep-short", 1);

    /** Marker that opens every training caption. */
    public static final String START = "startseq";
    /** Marker that closes every training caption. */
    public static final String END = "endseq";

    /**
     * The tutorial's cleaning's old name, still read from models saved before it was renamed and
     * accepted (with a warning) on the command line for one release.
     */
    public static final String DEPRECATED_KERAS_TUTORIAL = "seed";

    private final String id;
    private final int minWordLength;

    Cleaning(String id, int minWordLength) {
        this.id = id;
        this.minWordLength = minWordLength;
    }

    /** @return the name used on the command line and in model files */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * @param raw a caption as written in the dataset
     * @return its cleaned words, without markers
     */
    public List<String> words(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c >= 'a' && c <= 'z') {
                word.append(c);
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                flush(word, words);
            }
        }
        flush(word, words);
        return words;
    }

    private void flush(StringBuilder word, List<String> words) {
        if (word.length() >= minWordLength) {
            words.add(word.toString());
        }
        word.setLength(0);
    }

    /**
     * @param raw a caption as written in the dataset
     * @return {@code startseq w1 ... wn endseq} as tokens
     */
    public List<String> tokens(String raw) {
        List<String> words = words(raw);
        List<String> tokens = new ArrayList<>(words.size() + 2);
        tokens.add(START);
        tokens.addAll(words);
        tokens.add(END);
        return tokens;
    }

    /**
     * @param token a token
     * @return true for {@link #START} and {@link #END}
     */
    public static boolean isMarker(String token) {
        return START.equals(token) || END.equals(token);
    }

    /**
     * @param id a cleaner's name
     * @return the cleaner
     * @throws IllegalArgumentException naming the accepted values
     */
    @JsonCreator
    public static Cleaning parse(String id) {
        if (DEPRECATED_KERAS_TUTORIAL.equalsIgnoreCase(id.trim())) {
            return KERAS_TUTORIAL;
        }
        for (Cleaning c : values()) {
            if (c.id.equalsIgnoreCase(id.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cleaning '" + id + "' (expected one of "
                + Arrays.stream(values()).map(Cleaning::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
