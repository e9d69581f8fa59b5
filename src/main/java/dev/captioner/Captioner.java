package dev.captioner;

import dev.captioner.data.CaptionTokenizer;
import dev.captioner.decode.Caption;
import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.hf.PretrainedCaptioner;
import dev.captioner.model.CaptionModel;
import dev.captioner.model.ModelConfig;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Downloader;
import dev.captioner.util.Progress;
import dev.captioner.image.DecodeScale;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * captioner's Java API: captions images with a trained model directory.
 *
 * <pre>{@code
 * try (Captioner c = Captioner.load(Path.of("runs/model"))) {
 *     Caption best = c.caption(Path.of("dog.jpg"));
 *     System.out.println(best.text() + " " + best.score());
 * }
 * }</pre>
 *
 * <p>The image encoder is the one the model's features were made with: its weights are taken
 * from {@link Spec#weights()}, else from the model directory ({@code encoder/}, where a
 * concepts encoder is copied), else from where they were when the features were made, else from
 * captioner's cache (downloading the published file if needed), and must have the SHA-256 the
 * model recorded. Safe to call from many threads at once.
 */
public final class Captioner implements AutoCloseable {

    /**
     * How to caption.
     *
     * @param decode the search: beam width (1: greedy, as the Keras tutorial), length limit (0: the
     *     model's), length penalty, trigram blocking
     * @param weights the encoder's weights, or null to find them as described above
     * @param maxPixels largest image accepted
     * @param exactDecode decode every pixel of a file, as features for training were made (the
     *     Keras-exact path), instead of only as many as the encoder's resize reads (the default:
     *     a 12-megapixel photo several times faster; see {@link DecodeScale})
     * @param trustModelPaths open encoder files wherever the model's {@code config.json} says
     *     they are; without it, only files inside the model directory or captioner's home are
     *     opened from the model's word ({@code --weights} is always the user's own)
     * @param variant for a pretrained folder, which graphs to run ({@code default} or
     *     {@code quantized}; null: default); ignored for a trained model
     */
    public record Spec(DecodeSpec decode, Path weights, long maxPixels, boolean exactDecode, boolean trustModelPaths,
            String variant) {

        /** Validates the settings. */
        public Spec {
            if (decode == null) {
                throw new IllegalArgumentException("decode must be given (DecodeSpec.greedy() for greedy search)");
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("max pixels must be positive, was " + maxPixels);
            }
            PretrainedCaptioner.requireVariant(variant);
        }

        /**
         * The settings as they were given before the search became one {@link DecodeSpec}.
         *
         * @deprecated use {@link #Spec(DecodeSpec, Path, long, boolean, boolean, String)}
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Spec(int beam, double lengthPenalty, Path weights, long maxPixels, boolean exactDecode,
                boolean trustModelPaths, String variant) {
            this(new DecodeSpec(beam, 0, lengthPenalty), weights, maxPixels, exactDecode, trustModelPaths, variant);
        }

        /** @return the length penalty (trained models; a pretrained folder uses its own) */
        public double lengthPenalty() {
            return decode.lengthPenalty();
        }

        /** @return greedy search, weights found automatically, 100-megapixel limit */
        public static Spec defaults() {
            return new Spec(DecodeSpec.greedy(), null, ImageLoader.DEFAULT_MAX_PIXELS, false, false, null);
        }

        /** @return the beam width */
        public int beam() {
            return decode.beam();
        }

        /**
         * @param k beam width
         * @return a copy with that beam width
         */
        public Spec withBeam(int k) {
            return withDecode(decode.withBeam(k));
        }

        /**
         * @param d the search's settings
         * @return a copy with them
         */
        public Spec withDecode(DecodeSpec d) {
            return new Spec(d, weights, maxPixels, exactDecode, trustModelPaths, variant);
        }

        /**
         * @param file encoder weights
         * @return a copy with those weights
         */
        public Spec withWeights(Path file) {
            return new Spec(decode, file, maxPixels, exactDecode, trustModelPaths, variant);
        }

        /**
         * @param limit largest image accepted, in pixels
         * @return a copy with that limit
         */
        public Spec withMaxPixels(long limit) {
            return new Spec(decode, weights, limit, exactDecode, trustModelPaths, variant);
        }

        /**
         * @param exact whether to decode every pixel of a file (see {@link #exactDecode()})
         * @return a copy with that decoding
         */
        public Spec withExactDecode(boolean exact) {
            return new Spec(decode, weights, maxPixels, exact, trustModelPaths, variant);
        }

        /**
         * @param v the pretrained variant ({@code default} or {@code quantized})
         * @return a copy with that variant
         */
        public Spec withVariant(String v) {
            return new Spec(decode, weights, maxPixels, exactDecode, trustModelPaths, v);
        }

        /**
         * @param trust whether to open encoder files wherever the model's config says they are
         * @return a copy with that trust
         */
        public Spec withTrustedModelPaths(boolean trust) {
            return new Spec(decode, weights, maxPixels, exactDecode, trust, variant);
        }
    }

    private static final int BATCH = 16;

    private final CaptionBackend backend;
    private final Path dir;
    private final ImageLoader loader;
    private final DecodeSpec decodeOptions;
    private final DecodeScale decodeScale;

    private Captioner(CaptionBackend backend, Path dir, Spec options) {
        this.backend = backend;
        this.dir = dir;
        this.loader = new ImageLoader(options.maxPixels());
        this.decodeOptions = options.decode();
        this.decodeScale = options.exactDecode() ? DecodeScale.FULL : backend.decodeScale();
    }

    /**
     * @param modelDir a model directory written by {@code captioner train}
     * @return a captioner with greedy search
     */
    public static Captioner load(Path modelDir) {
        return load(modelDir, Spec.defaults());
    }

    /**
     * @param modelDir a model directory written by {@code captioner train}, or a pretrained
     *     folder as Hugging Face publishes it (see {@link PretrainedCaptioner}), told apart by
     *     its {@code config.json}
     * @param options beam, weights, pixel limit
     * @return a captioner
     */
    public static Captioner load(Path modelDir, Spec options) {
        if (PretrainedCaptioner.isPretrained(modelDir)) {
            return new Captioner(new PretrainedBackend(PretrainedCaptioner.open(modelDir, options.variant())), modelDir, options);
        }
        CaptionModel model = CaptionModel.load(modelDir);
        try {
            ImageEncoder encoder = openEncoder(model, options.weights(), options.trustModelPaths());
            return new Captioner(new TrainedBackend(model, encoder, new CaptionDecoder(model)), modelDir, options);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Finds and checks the encoder the model's features came from. A model file is code (ONNX
     * and TorchScript graphs run in native engines): its SHA-256 is compared with the model's
     * record before any engine opens it, and a path that only the model's {@code config.json}
     * names must lie in the model directory or captioner's home unless the user trusts the
     * model's paths.
     */
    static ImageEncoder openEncoder(CaptionModel model, Path override, boolean trustModelPaths) {
        ModelConfig.EncoderInfo info = model.config().encoder();
        Path chosen = override;
        Path bundled = model.files().encoderDir();
        if (chosen == null && Files.isDirectory(bundled)) {
            chosen = bundled;
        }
        Path fromConfig = null;
        if (chosen == null && info.weights() != null && Files.exists(Path.of(info.weights()))) {
            chosen = Path.of(info.weights());
            fromConfig = chosen;
        }
        if (chosen == null) {
            fromConfig = Encoders.fileOf(info.name());
        }
        if (fromConfig != null && !trustModelPaths) {
            dev.captioner.util.ModelPaths.checkInside(fromConfig, model.dir());
        }
        // An exported encoder prepares images with the card its features were made with.
        ImageEncoder encoder = Encoders.open(info.name(), chosen, info.card(), info.kind(),
                new Downloader(Progress.defaultLog()), info.weightsSha256());
        if (encoder.featureDim() != info.featureDim() || !java.util.Objects.equals(encoder.grid(), info.grid())) {
            String where = encoder.weightsLocation() == null ? "the weights found" : String.valueOf(encoder.weightsLocation());
            encoder.close();
            throw new CaptionerException(model.dir() + " was trained on " + info.featureDim() + "-d " + info.name()
                    + " features, but " + where + " gives " + encoder.featureDim() + "-d ones; pass the right weights "
                    + "with --weights");
        }
        return encoder;
    }

    /**
     * @param image an image file
     * @return its best caption
     * @throws CaptionerException naming the file if it cannot be read
     */
    public Caption caption(Path image) {
        return alternatives(loader.load(image, decodeScale)).get(0);
    }

    /**
     * @param image an image
     * @return its best caption
     */
    public Caption caption(BufferedImage image) {
        return alternatives(RgbImage.of(image)).get(0);
    }

    /**
     * @param image decoded pixels
     * @return the beam's captions, best first (one with greedy search)
     */
    public List<Caption> alternatives(RgbImage image) {
        return backend.decode(backend.encode(List.of(backend.prepare(image))), decodeOptions).get(0);
    }

    /**
     * @param image decoded pixels
     * @param beam beam width for this call
     * @return the beam's captions, best first
     */
    public List<Caption> alternatives(RgbImage image, int beam) {
        return backend.decode(backend.encode(List.of(backend.prepare(image))), decodeOptions.withBeam(beam)).get(0);
    }

    /**
     * @return how much smaller than stored this captioner decodes files ({@link DecodeScale#FULL}
     *     with {@link Spec#exactDecode()}); callers that decode themselves use it too
     */
    public DecodeScale decodeScale() {
        return decodeScale;
    }

    /**
     * @param image decoded pixels
     * @return the encoder's input for it: resized and preprocessed, {@code 3 × size × size}
     *     floats, what {@link #alternativesOfInputs} takes
     */
    public float[] prepare(RgbImage image) {
        return backend.prepare(image);
    }

    /**
     * Captions prepared images in one decoder call, encoded in the encoder's efficient batches.
     *
     * @param inputs images from {@link #prepare}
     * @param beam beam width
     * @return for each, the beam's captions, best first
     */
    public List<List<Caption>> alternativesOfInputs(List<float[]> inputs, int beam) {
        return alternativesOfInputs(inputs, decodeOptions.withBeam(beam));
    }

    /**
     * Captions prepared images in one decoder call with the search given for this call.
     *
     * @param inputs images from {@link #prepare}
     * @param search beam width, length limit, length penalty, trigram blocking
     * @return for each, the beam's captions, best first
     */
    public List<List<Caption>> alternativesOfInputs(List<float[]> inputs, DecodeSpec search) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        return backend.decode(encodeInputs(inputs), search);
    }

    /**
     * @param inputs images from {@link #prepare}
     * @return {@code [B][F]} their features (a pretrained encoder's: its last hidden states,
     *     {@code T × D} each), what {@link #alternativesOfFeatures} takes
     */
    public float[][] encodeInputs(List<float[]> inputs) {
        return backend.encode(inputs);
    }

    /**
     * Captions images already encoded, with this captioner's length limit, penalty and trigram
     * rule.
     *
     * @param features {@code [B][F]} the encoder's features
     * @param beam beam width
     * @return for each, the beam's captions, best first
     */
    public List<List<Caption>> alternativesOfFeatures(float[][] features, int beam) {
        return backend.decode(features, decodeOptions.withBeam(beam));
    }

    /**
     * Captions many files, encoding and decoding in batches.
     *
     * @param images image files
     * @return their best captions, in order
     * @throws CaptionerException naming the first file that cannot be read
     */
    public List<Caption> captionAll(List<Path> images) {
        List<Caption> out = new ArrayList<>();
        captionEach(images, (p, c) -> out.add(c), (p, e) -> {
            throw e;
        });
        return out;
    }

    /**
     * Captions many files; an unreadable one is passed to {@code onError} and the rest go on.
     *
     * @param images image files
     * @param onCaption receives each image's best caption, in order
     * @param onError receives each image that failed
     */
    public void captionEach(List<Path> images, BiConsumer<Path, Caption> onCaption,
            BiConsumer<Path, CaptionerException> onError) {
        for (int i = 0; i < images.size(); i += BATCH) {
            List<Path> batch = images.subList(i, Math.min(images.size(), i + BATCH));
            List<Path> ok = new ArrayList<>();
            List<float[]> inputs = new ArrayList<>();
            for (Path p : batch) {
                try {
                    inputs.add(backend.prepare(loader.load(p, decodeScale)));
                    ok.add(p);
                } catch (CaptionerException e) {
                    onError.accept(p, e);
                } catch (RuntimeException e) {
                    // One bad file never stops the batch, whatever its decoder threw.
                    onError.accept(p, new CaptionerException(p + ": cannot read: " + e, e));
                }
            }
            if (ok.isEmpty()) {
                continue;
            }
            List<List<Caption>> captions = backend.decode(backend.encode(inputs), decodeOptions);
            for (int j = 0; j < ok.size(); j++) {
                onCaption.accept(ok.get(j), captions.get(j).get(0));
            }
        }
    }

    /** @return the trained model, or null for a pretrained folder */
    public CaptionModel model() {
        return backend instanceof TrainedBackend t ? t.model() : null;
    }

    /** @return the trained model's image encoder, or null for a pretrained folder */
    public ImageEncoder encoder() {
        return backend instanceof TrainedBackend t ? t.encoder() : null;
    }

    /** @return the trained model's decoder, for captioning precomputed features; null for a pretrained folder */
    public CaptionDecoder decoder() {
        return backend instanceof TrainedBackend t ? t.decoder() : null;
    }

    /** @return the model directory or pretrained folder */
    public Path dir() {
        return dir;
    }

    /** @return the grid the model's attention maps cover, or null for a model that shows none */
    public GridShape attentionGrid() {
        return backend.attentionGrid();
    }

    /**
     * @return the model's tokenizer, the seam between token ids and text: the word vocabulary of
     *     a trained model, the {@code tokenizer.json} of a pretrained folder
     */
    public CaptionTokenizer tokenizer() {
        return backend.tokenizer();
    }

    /**
     * @return what the model is, for {@code /api/model}: architecture, encoder (its file's name
     *     only), sizes; never a path on this machine
     */
    public Map<String, Object> describe() {
        return backend.describe();
    }

    /**
     * An exported encoder is named by its file ({@code onnx:/models/clip.onnx}): only the file's
     * own name is shown, never where it lies.
     *
     * @param encoderName an encoder's name
     * @return it without folders
     */
    public static String withoutFolders(String encoderName) {
        int colon = encoderName.indexOf(':');
        if (colon < 0) {
            return encoderName;
        }
        String path = encoderName.substring(colon + 1);
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return encoderName.substring(0, colon + 1) + path.substring(slash + 1);
    }

    @Override
    public void close() {
        backend.close();
    }
}
