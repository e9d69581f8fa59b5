package dev.captioner.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.PreprocessorCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a pretrained folder's {@code config.json} and {@code generation_config.json} fix about
 * generation, with Transformers' defaults where they say nothing (as {@code generate} in
 * Transformers 4.33 reads them: the generation file first, then the model's own config).
 *
 * @param shape the decoder's sizes
 * @param generation how {@code generate} searches
 */
public record PretrainedConfig(Shape shape, Generation generation) {

    /**
     * The decoder's sizes, which its graph must agree with.
     *
     * @param layers the decoder's layers
     * @param heads the decoder's attention heads
     * @param hidden the decoder's hidden size
     * @param vocabulary the decoder's vocabulary size
     * @param positions the decoder's position table ({@code n_positions}): the most tokens it reads
     */
    public record Shape(int layers, int heads, int hidden, int vocabulary, int positions) {}

    /**
     * Transformers' generation settings.
     *
     * @param decoderStart the token every caption starts with
     * @param eos the token that ends a caption
     * @param maxLength the longest caption, the start token counted (Transformers' default 20)
     * @param beams beams ({@code num_beams}, default 1: greedy)
     * @param lengthPenalty the exponent of a hypothesis' length (default 1.0)
     * @param noRepeatNgram {@code no_repeat_ngram_size} (default 0: none)
     */
    public record Generation(int decoderStart, int eos, int maxLength, int beams, double lengthPenalty,
            int noRepeatNgram) {}

    /** The {@code model_type} this package runs. */
    public static final String MODEL_TYPE = "vision-encoder-decoder";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param dir a folder
     * @return whether its {@code config.json} says {@code model_type: vision-encoder-decoder}
     */
    public static boolean describes(Path dir) {
        Path file = dir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            return MODEL_TYPE.equals(JSON.readTree(file.toFile()).path("model_type").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @param dir a pretrained folder
     * @return its generation settings
     * @throws CaptionerException naming the file and field at fault
     */
    public static PretrainedConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        JsonNode config = PreprocessorCard.tree(file);
        JsonNode decoder = config.path("decoder");
        if (!decoder.isObject()) {
            throw new CaptionerException(file + ": field 'decoder' is missing");
        }
        Path genFile = dir.resolve("generation_config.json");
        JsonNode gen = Files.isRegularFile(genFile) ? PreprocessorCard.tree(genFile) : JSON.createObjectNode();
        int layers = firstInt(file, decoder, "n_layer", "num_hidden_layers", "decoder_layers", "num_layers");
        int heads = firstInt(file, decoder, "n_head", "num_attention_heads", "decoder_attention_heads");
        int hidden = firstInt(file, decoder, "n_embd", "hidden_size", "d_model");
        int vocab = firstInt(file, decoder, "vocab_size");
        int eos = setting(gen, config, decoder, "eos_token_id", -1);
        int start = setting(gen, config, decoder, "decoder_start_token_id", setting(gen, config, decoder, "bos_token_id", -1));
        if (eos < 0 || start < 0) {
            throw new CaptionerException(file + ": field '" + (eos < 0 ? "eos_token_id" : "decoder_start_token_id")
                    + "' is missing");
        }
        // generate() reads the generation file, which (made from the model config) holds only
        // the top level's settings; the decoder's own max_length or num_beams do not count.
        int maxLength = gen.path("max_length").asInt(config.path("max_length").asInt(20));
        int beams = gen.path("num_beams").asInt(config.path("num_beams").asInt(1));
        double lp = gen.path("length_penalty").asDouble(config.path("length_penalty").asDouble(1.0));
        int ngram = gen.path("no_repeat_ngram_size").asInt(config.path("no_repeat_ngram_size").asInt(0));
        boolean early = gen.path("early_stopping").asBoolean(config.path("early_stopping").asBoolean(false));
        if (early) {
            throw new CaptionerException(genFile + ": field 'early_stopping' is true; only Transformers' default, "
                    + "false, is supported");
        }
        if (heads <= 0 || hidden % heads != 0 || layers <= 0 || vocab <= 1 || eos >= vocab || start >= vocab
                || maxLength < 2 || beams < 1) {
            throw new CaptionerException(file + ": inconsistent sizes (layers " + layers + ", heads " + heads
                    + ", hidden " + hidden + ", vocabulary " + vocab + ", eos " + eos + ", start " + start
                    + ", max_length " + maxLength + ", num_beams " + beams + ")");
        }
        int positions = decoder.path("n_positions").asInt(decoder.path("max_position_embeddings").asInt(Integer.MAX_VALUE));
        if (positions < 2) {
            throw new CaptionerException(file + ": field 'decoder.n_positions' is " + positions);
        }
        if (maxLength - 1L > positions) {
            throw new CaptionerException((gen.has("max_length") ? genFile : file) + ": field 'max_length' is "
                    + maxLength + ", more than the decoder's " + positions + " positions can read");
        }
        return new PretrainedConfig(new Shape(layers, heads, hidden, vocab, positions),
                new Generation(start, eos, maxLength, beams, lp, ngram));
    }

    /** @return the decoder's layers */
    public int layers() {
        return shape.layers();
    }

    /** @return the decoder's attention heads */
    public int heads() {
        return shape.heads();
    }

    /** @return the decoder's hidden size */
    public int hidden() {
        return shape.hidden();
    }

    /** @return the decoder's vocabulary size */
    public int vocabulary() {
        return shape.vocabulary();
    }

    /** @return the most tokens the decoder reads */
    public int positions() {
        return shape.positions();
    }

    /** @return the token every caption starts with */
    public int decoderStart() {
        return generation.decoderStart();
    }

    /** @return the token that ends a caption */
    public int eos() {
        return generation.eos();
    }

    /** @return the longest caption, the start token counted */
    public int maxLength() {
        return generation.maxLength();
    }

    /** @return {@code num_beams} */
    public int beams() {
        return generation.beams();
    }

    /** @return the exponent of a hypothesis' length */
    public double lengthPenalty() {
        return generation.lengthPenalty();
    }

    /** @return {@code no_repeat_ngram_size} */
    public int noRepeatNgram() {
        return generation.noRepeatNgram();
    }

    /** @return the size of one attention head */
    public int headDim() {
        return hidden() / heads();
    }

    private static int setting(JsonNode gen, JsonNode config, JsonNode decoder, String field, int fallback) {
        for (JsonNode n : new JsonNode[] {gen, config, decoder}) {
            if (n.path(field).isInt()) {
                return n.path(field).asInt();
            }
        }
        return fallback;
    }

    private static int firstInt(Path file, JsonNode node, String... fields) {
        for (String f : fields) {
            if (node.path(f).isInt()) {
                return node.path(f).asInt();
            }
        }
        throw new CaptionerException(file + ": field 'decoder." + fields[0] + "' is missing");
    }
}
