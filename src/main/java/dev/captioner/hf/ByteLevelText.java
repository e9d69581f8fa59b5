package dev.captioner.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.data.CaptionTokenizer;
import dev.captioner.util.CaptionerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Token ids to text for a byte-level BPE {@code tokenizer.json} (GPT-2's): each token's string
 * maps back to bytes through GPT-2's byte alphabet, the bytes are read as UTF-8 (a broken
 * sequence becomes U+FFFD), special tokens are skipped, and Transformers'
 * {@code clean_up_tokenization} removes the spaces before punctuation and contractions when
 * {@code tokenizer_config.json} asks for it. Only decoding is needed to caption, so this reads
 * the vocabulary and nothing else; it gives the same text as Hugging Face's tokenizers library
 * ({@code ByteLevelTextTest} compares them).
 */
public final class ByteLevelText implements CaptionTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[][] CLEAN_UP = {{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
        {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};

    /** {@code [vocabulary]} each token's bytes; null for an id the file does not define. */
    private final byte[][] bytes;
    private final boolean[] special;
    private final boolean cleanUp;

    private ByteLevelText(byte[][] bytes, boolean[] special, boolean cleanUp) {
        this.bytes = bytes;
        this.special = special;
        this.cleanUp = cleanUp;
    }

    /**
     * @param dir a pretrained folder with {@code tokenizer.json} (and {@code tokenizer_config.json})
     * @return its decoder
     * @throws CaptionerException naming the file when it is not a byte-level BPE tokenizer
     */
    public static ByteLevelText read(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        JsonNode root;
        try {
            if (!Files.isRegularFile(file)) {
                throw new CaptionerException(file + ": no such file; a pretrained folder needs its tokenizer");
            }
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new CaptionerException(file + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        String decoder = root.path("decoder").path("type").asText("");
        if (!decoder.equals("ByteLevel")) {
            throw new CaptionerException(file + ": field 'decoder.type' is '" + decoder + "'; only byte-level BPE "
                    + "tokenizers (GPT-2's) are supported");
        }
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new CaptionerException(file + ": field 'model.vocab' is missing");
        }
        int size = 0;
        for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
            size = Math.max(size, checkedId(file, id));
        }
        for (JsonNode t : root.path("added_tokens")) {
            size = Math.max(size, checkedId(file, t.path("id")));
        }
        byte[][] bytes = new byte[size][];
        boolean[] special = new boolean[size];
        int[] fromChar = byteDecoder();
        for (var it = vocab.fields(); it.hasNext();) {
            var e = it.next();
            bytes[e.getValue().asInt()] = toBytes(e.getKey(), fromChar, file);
        }
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.path("id").asInt();
            // An added token is its own text (not in the byte alphabet).
            bytes[id] = t.path("content").asText().getBytes(StandardCharsets.UTF_8);
            special[id] = t.path("special").asBoolean(false);
        }
        Path configFile = dir.resolve("tokenizer_config.json");
        boolean cleanUp = !Files.isRegularFile(configFile)
                || dev.captioner.vision.PreprocessorCard.tree(configFile).path("clean_up_tokenization_spaces").asBoolean(true);
        return new ByteLevelText(bytes, special, cleanUp);
    }

    /** The largest vocabulary accepted: far above any published tokenizer's (GPT-2's: 50,257). */
    private static final int MAX_TOKENS = 1 << 20;

    private static int checkedId(Path file, JsonNode id) {
        if (!id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= MAX_TOKENS) {
            throw new CaptionerException(file + ": token id " + id + " is not between 0 and " + MAX_TOKENS);
        }
        return id.asInt() + 1;
    }

    /** @return ids the tokenizer defines */
    @Override
    public int size() {
        return bytes.length;
    }

    /**
     * @param ids token ids
     * @return the text, special tokens skipped, cleaned up as configured, trimmed
     * @throws IllegalArgumentException for an id the tokenizer does not define
     */
    @Override
    public String text(int[] ids) {
        String s = raw(ids);
        return cleanUp ? cleanUp(s) : s.strip();
    }

    /** The tokens {@code tokenizer.json}'s {@code added_tokens} marks special ({@code <|endoftext|>}). */
    @Override
    public boolean special(int id) {
        if (id < 0 || id >= bytes.length || bytes[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the tokenizer");
        }
        return special[id];
    }

    /**
     * @param ids token ids
     * @return their text with special tokens skipped, before any clean-up
     */
    String raw(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= bytes.length || bytes[id] == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the tokenizer");
            }
            if (!special[id]) {
                out.writeBytes(bytes[id]);
            }
        }
        return lossyUtf8(out.toByteArray());
    }

    /**
     * UTF-8 with each maximal ill-formed subpart replaced by one U+FFFD, as Unicode recommends
     * and Rust's {@code from_utf8_lossy} (Hugging Face's tokenizers) and Python do; the JDK's
     * decoder replaces some of them differently (it reads {@code ED A1} as one).
     *
     * @param b bytes
     * @return the text
     */
    static String lossyUtf8(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            } else if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                lo = c == 0xE0 ? 0xA0 : 0x80;
                hi = c == 0xED ? 0x9F : 0xBF;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                lo = c == 0xF0 ? 0x90 : 0x80;
                hi = c == 0xF4 ? 0x8F : 0xBF;
            } else {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            int cp = c & (0x3F >> need);
            int j = 1;
            for (; j <= need && i + j < b.length; j++) {
                int d = b[i + j] & 0xFF;
                if (d < (j == 1 ? lo : 0x80) || d > (j == 1 ? hi : 0xBF)) {
                    break;
                }
                cp = (cp << 6) | (d & 0x3F);
            }
            if (j <= need) {
                // The maximal subpart: the lead byte and the continuation bytes that fit.
                sb.append('\uFFFD');
            } else {
                sb.appendCodePoint(cp);
            }
            i += j;
        }
        return sb.toString();
    }

    /**
     * @param s decoded text
     * @return it with Transformers' {@code clean_up_tokenization} replacements made, trimmed
     */
    static String cleanUp(String s) {
        for (String[] r : CLEAN_UP) {
            s = s.replace(r[0], r[1]);
        }
        return s.strip();
    }

    private static byte[] toBytes(String token, int[] fromChar, Path file) {
        byte[] b = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= fromChar.length || fromChar[c] < 0) {
                throw new CaptionerException(file + ": token '" + token + "' has a character outside GPT-2's byte "
                        + "alphabet");
            }
            b[n++] = (byte) fromChar[c];
        }
        return Arrays.copyOf(b, n);
    }

    /**
     * GPT-2's {@code bytes_to_unicode}, inverted: printable Latin-1 bytes stand for themselves,
     * the other 68 bytes for the characters from U+0100 on, in byte order.
     *
     * @return for each character below U+0144, its byte, or -1
     */
    static int[] byteDecoder() {
        int[] fromChar = new int[0x144];
        Arrays.fill(fromChar, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            fromChar[printable ? b : next++] = b;
        }
        return fromChar;
    }
}
