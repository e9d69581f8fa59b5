package dev.captioner.hf;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.captioner.data.CaptionTokenizer;
import dev.captioner.decode.Caption;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.decode.SearchRules;
import dev.captioner.decode.TokenSearch;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.RgbImage;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.PreprocessorCard;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pretrained image-to-text model, run as published: a folder in Optimum's layout
 * ({@code config.json} with {@code model_type: vision-encoder-decoder},
 * {@code preprocessor_config.json}, {@code generation_config.json}, {@code tokenizer.json},
 * {@code onnx/encoder_model.onnx} and either {@code onnx/decoder_model_merged.onnx} or the pair
 * {@code decoder_model.onnx} + {@code decoder_with_past_model.onnx}; the variant
 * {@code quantized} takes the {@code *_quantized.onnx} files). Images are prepared as its
 * preprocessor file says, encoded in one batch, and captioned by {@link TokenSearch} under
 * Transformers' rules with the generation settings of its configuration. It shows no attention
 * maps. Safe to call from several threads.
 */
public final class PretrainedCaptioner implements AutoCloseable {

    /** The variants: the published graphs, or their 8-bit quantized copies. */
    public static final List<String> VARIANTS = List.of("default", "quantized");

    /**
     * The one check of a variant's name, wherever one is given (a spec's constructor, a
     * command-line option, a download).
     *
     * @param variant a variant's name, or null for the default
     * @return it, or {@code default} for null
     * @throws IllegalArgumentException naming the choices if it is none of them
     */
    public static String requireVariant(String variant) {
        String v = variant == null ? "default" : variant;
        if (!VARIANTS.contains(v)) {
            throw new IllegalArgumentException("--variant " + v + ": must be one of " + VARIANTS);
        }
        return v;
    }

    /** {@link #requireVariant} for callers whose refusals are {@link CaptionerException}s. */
    static String knownVariant(String variant) {
        try {
            return requireVariant(variant);
        } catch (IllegalArgumentException e) {
            throw new CaptionerException(e.getMessage(), e);
        }
    }

    private final Path dir;
    private final PretrainedConfig config;
    private final EncoderCard card;
    private final CaptionTokenizer text;
    private final OrtEnvironment env;
    private final OrtSession encoder;
    private final String encoderInput;
    private final OnnxDecoder decoder;

    private PretrainedCaptioner(Path dir, PretrainedConfig config, EncoderCard card, CaptionTokenizer text,
            OrtEnvironment env, OrtSession encoder, String encoderInput, OnnxDecoder decoder) {
        this.dir = dir;
        this.config = config;
        this.card = card;
        this.text = text;
        this.env = env;
        this.encoder = encoder;
        this.encoderInput = encoderInput;
        this.decoder = decoder;
    }

    /**
     * @param dir a folder
     * @return whether it is a pretrained folder (its {@code config.json} says so)
     */
    public static boolean isPretrained(Path dir) {
        return Files.isDirectory(dir) && PretrainedConfig.describes(dir);
    }

    /**
     * @param dir a pretrained folder
     * @param variant {@code default} or {@code quantized} (null: default)
     * @return the captioner
     * @throws CaptionerException naming the file or input that cannot be used
     */
    public static PretrainedCaptioner open(Path dir, String variant) {
        String v = knownVariant(variant);
        String suffix = v.equals("quantized") ? "_quantized" : "";
        PretrainedConfig config = PretrainedConfig.read(dir);
        ByteLevelText text = ByteLevelText.read(dir);
        if (text.size() != config.vocabulary()) {
            throw new CaptionerException(dir.resolve("tokenizer.json") + ": defines " + text.size() + " tokens, "
                    + "config.json's decoder " + config.vocabulary());
        }
        Path onnx = dir.resolve("onnx");
        Path encoderFile = need(onnx.resolve("encoder_model" + suffix + ".onnx"));
        Path merged = onnx.resolve("decoder_model_merged" + suffix + ".onnx");
        Path noPast = onnx.resolve("decoder_model" + suffix + ".onnx");
        Path withPast = onnx.resolve("decoder_with_past_model" + suffix + ".onnx");
        boolean isMerged = Files.isRegularFile(merged);
        if (!isMerged && !(Files.isRegularFile(noPast) && Files.isRegularFile(withPast))) {
            throw new CaptionerException(merged + ": no such file (nor the pair " + noPast.getFileName() + " + "
                    + withPast.getFileName() + ")");
        }
        // DJL's ONNX Runtime engine (exported encoders) creates the process's one environment with
        // its own thread settings and fails if one exists already: let it create it first.
        ai.djl.engine.Engine.getEngine("OnnxRuntime");
        PretrainedDownload.verifyIfCatalogued(dir, v);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession enc = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            enc = env.createSession(encoderFile.toString(), options);
            if (enc.getInputNames().size() != 1) {
                throw new CaptionerException(encoderFile + ": has inputs " + enc.getInputNames() + "; an image encoder "
                        + "takes one, pixel_values");
            }
            String input = enc.getInputNames().iterator().next();
            EncoderCard card = PreprocessorCard.read(dir, dir.getFileName() + "", input);
            OnnxDecoder dec = OnnxDecoder.open(env, options, isMerged ? merged : null, noPast, withPast, config);
            return new PretrainedCaptioner(dir, config, card, text, env, enc, input, dec);
        } catch (OrtException e) {
            if (enc != null) {
                OnnxDecoder.closeQuietly(enc);
            }
            throw new CaptionerException(encoderFile + ": ONNX Runtime cannot load it: " + OnnxDecoder.firstLine(e), e);
        } catch (RuntimeException e) {
            if (enc != null) {
                OnnxDecoder.closeQuietly(enc);
            }
            throw e;
        }
    }

    private static Path need(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such file");
        }
        return file;
    }

    /** @return the folder */
    public Path dir() {
        return dir;
    }

    /** @return its generation settings */
    public PretrainedConfig config() {
        return config;
    }

    /** @return how its preprocessor prepares images */
    public EncoderCard card() {
        return card;
    }

    /** @return every pixel: the fast decode's agreement is not measured for these models */
    public DecodeScale decodeScale() {
        return DecodeScale.FULL;
    }

    /**
     * @param image decoded pixels
     * @return {@code [3 × H × W]} the encoder's input
     */
    public float[] prepare(RgbImage image) {
        return card.prepare(image);
    }

    /**
     * @param inputs images from {@link #prepare}
     * @return {@code [B][T × D]} the encoder's last hidden states
     */
    public float[][] encode(List<float[]> inputs) {
        int h = card.input().height();
        int w = card.input().width();
        int per = 3 * h * w;
        FloatBuffer all = FloatBuffer.allocate(inputs.size() * per);
        for (float[] x : inputs) {
            all.put(x);
        }
        all.rewind();
        try (OnnxTensor px = OnnxTensor.createTensor(env, all, new long[] {inputs.size(), 3, h, w});
                OrtSession.Result out = encoder.run(Map.of(encoderInput, px))) {
            OnnxTensor states = (OnnxTensor) out.get(0);
            long[] shape = states.getInfo().getShape();
            if (shape.length != 3 || shape[2] != config.hidden()) {
                throw new CaptionerException(dir.resolve("onnx") + ": the encoder gives " + Arrays.toString(shape)
                        + ", the decoder reads width " + config.hidden());
            }
            FloatBuffer fb = states.getFloatBuffer();
            int each = (int) (shape[1] * shape[2]);
            float[][] result = new float[inputs.size()][each];
            for (float[] r : result) {
                fb.get(r);
            }
            return result;
        } catch (OrtException e) {
            throw new CaptionerException(dir + ": the pretrained encoder failed: " + OnnxDecoder.firstLine(e), e);
        }
    }

    /**
     * Captions encoded images: Transformers' greedy or beam search with the model's generation
     * settings; the spec's beam, length limit (0: the model's {@code max_length}) and trigram
     * blocking override them.
     *
     * @param states {@code [B][T × D]} from {@link #encode}
     * @param spec beam, length limit, trigram blocking
     * @return for each image, up to {@code beam} captions, best first
     */
    public List<List<Caption>> caption(float[][] states, DecodeSpec spec) {
        if (states.length == 0) {
            return List.of();
        }
        int ngram = spec.blockTrigrams() ? 3 : config.noRepeatNgram();
        int maxTokens = TokenSearch.maxTokens(spec.maxLength(), config.maxLength(), config.positions(),
                dir.getFileName() + "'s decoder");
        TokenSearch.Rules rules = new TokenSearch.Rules(SearchRules.TRANSFORMERS, config.decoderStart(), config.eos(),
                null, ngram, maxTokens, spec.beam(), config.lengthPenalty());
        List<List<TokenSearch.Sequence>> found;
        try (OnnxStepper stepper = new OnnxStepper(env, decoder, config, states, states[0].length / config.hidden(),
                spec.beam())) {
            found = TokenSearch.run(stepper, states.length, rules);
        } catch (OrtException e) {
            throw new CaptionerException(dir + ": the pretrained decoder failed: " + OnnxDecoder.firstLine(e), e);
        }
        List<List<Caption>> result = new ArrayList<>();
        for (List<TokenSearch.Sequence> image : found) {
            List<Caption> caps = new ArrayList<>();
            for (TokenSearch.Sequence s : image) {
                caps.add(new Caption(words(text.text(s.tokens())), s.logProb(), s.score(), s.finished(), null, s.tokens()));
            }
            caps.sort(Comparator.comparingDouble(Caption::score).reversed());
            result.add(caps);
        }
        return result;
    }

    /** @return the folder's {@code tokenizer.json}, ids to text */
    public CaptionTokenizer tokenizer() {
        return text;
    }

    private static List<String> words(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split(" ", -1));
    }

    /** @return what {@code /api/model} shows: no paths */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", PretrainedConfig.MODEL_TYPE);
        m.put("encoder", card.name());
        m.put("feature_dim", config.hidden());
        m.put("vocabulary_size", config.vocabulary());
        m.put("max_length", config.maxLength());
        return m;
    }

    @Override
    public void close() {
        OnnxDecoder.closeQuietly(encoder);
        decoder.close();
    }
}
