package dev.captioner.vision;

import dev.captioner.util.CaptionerException;
import dev.captioner.util.Digests;
import dev.captioner.util.Downloader;
import dev.captioner.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The encoder registry: every encoder captioner can open, by the name {@code --encoder} takes,
 * with what it is and what weights it needs. Every command, the Spark jobs, the benchmarks and
 * the Java API open encoders here, so a new encoder is its class and one line in {@link #TYPES}.
 * Weights are the file given with {@code --weights}, else the published file in the cache
 * ({@code $CAPTIONER_HOME/weights}, default {@code ~/.cache/captioner/weights}), downloaded
 * there on first use (see {@link PublishedWeights}).
 */
public final class Encoders {

    private static final List<EncoderType> TYPES = List.of(
            new EncoderType(Vgg16Encoder.NAME, false, "VGG16 (Keras), the Keras tutorial's: fc2, 4,096-d; grid block5_conv3, "
                    + "14x14x512", "a Keras HDF5 file (default: the published one, downloaded on first use)",
                    (source, downloader) -> {
                        Path file = source.weights() != null ? source.weights() : published(PublishedWeights.VGG16,
                                downloader);
                        String sha = verified(file, source.sha256());
                        return located(Vgg16Encoder.load(KerasWeights.read(file), sha, 224), file);
                    }, weights -> List.of()),
            new EncoderType(MobileNetEncoder.NAME, false, "MobileNet v1 (Keras): global average, 1,024-d at alpha 1.0; "
                    + "grid 7x7", "a Keras HDF5 file, any alpha (default: alpha 1.0, published, downloaded on first use)",
                    (source, downloader) -> {
                        Path file = source.weights() != null ? source.weights() : published(PublishedWeights.MOBILENET,
                                downloader);
                        String sha = verified(file, source.sha256());
                        return located(MobileNetEncoder.load(KerasWeights.read(file), sha, 224), file);
                    }, weights -> List.of()),
            new EncoderType(ConceptsEncoder.NAME, false, "a small CNN trained on your captions' words "
                    + "('captioner encoder train')",
                    "the directory 'captioner encoder train' wrote (required; copied into the models trained on it)",
                    (source, downloader) -> {
                        Path weights = source.weights();
                        if (weights == null) {
                            throw new CaptionerException("the concepts encoder has no published weights: train one with "
                                    + "'captioner encoder train --data PATH --out DIR' and pass --weights DIR");
                        }
                        return located(ConceptsEncoder.load(weights, source.sha256()),
                                Files.isRegularFile(weights) ? weights.toAbsolutePath().getParent() : weights);
                    }, ConceptsEncoder::files),
            exported(ExportedEncoder.Format.ONNX, "an ONNX image model (CLIP, ResNet, ViT, ConvNeXt...) on ONNX Runtime"),
            exported(ExportedEncoder.Format.TORCHSCRIPT, "a TorchScript image model on PyTorch"),
            new EncoderType("hf", true, "the vision encoder of a pretrained Hugging Face image-to-text folder (ViT and "
                    + "the like) on ONNX Runtime: the CLS token pooled, the patch tokens as the grid",
                    "the folder after the colon (its onnx/encoder_model.onnx, prepared as its preprocessor_config.json "
                    + "says); --weights points to the folder if it moved",
                    (source, downloader) -> {
                        Path dir = source.weights() != null ? source.weights() : source.file();
                        if (dir == null || !Files.isDirectory(dir)) {
                            throw new CaptionerException("--encoder hf needs a pretrained folder: hf:DIR" + (dir == null
                                    ? "" : " (" + dir + " is not a folder)"));
                        }
                        EncoderCard card = source.card() != null ? source.card() : PreprocessorCard.forEncoder(dir);
                        return ExportedEncoder.open(ExportedEncoder.Format.ONNX, dir.resolve("onnx/encoder_model.onnx"),
                                card, source.sha256());
                    }, weights -> List.of()));

    private static EncoderType exported(ExportedEncoder.Format format, String description) {
        return new EncoderType(format.scheme(), true, description, "the model file after the colon, with its card "
                + "FILE.json beside it (or --encoder-card); --weights points to the file if it moved",
                (source, downloader) -> {
                    Path file = source.weights() != null ? source.weights() : source.file();
                    if (file == null) {
                        throw new CaptionerException("--encoder " + format.scheme() + " needs its model file: "
                                + format.scheme() + ":FILE");
                    }
                    EncoderCard card = source.card() != null ? source.card()
                            : EncoderCard.read(EncoderCard.besideModel(file));
                    return ExportedEncoder.open(format, file, card, source.sha256());
                }, weights -> List.of());
    }

    private Encoders() {}

    /** @return how {@code --encoder} spells every encoder, in the registry's order ({@code onnx:FILE}...) */
    public static List<String> names() {
        return TYPES.stream().map(EncoderType::spelling).toList();
    }

    /** @return every encoder of the registry */
    public static List<EncoderType> types() {
        return TYPES;
    }

    /**
     * @param name an encoder's name
     * @return its registry line
     * @throws CaptionerException listing the known names if there is no such encoder
     */
    public static EncoderType type(String name) {
        return find(name).orElseThrow(() -> new CaptionerException("unknown encoder '" + name + "' (expected one of " + String.join(", ", names()) + ")"));
    }

    /**
     * @param name an encoder's name
     * @return its registry line, if there is one
     */
    public static java.util.Optional<EncoderType> find(String name) {
        String n = name == null ? "" : name.trim();
        int colon = n.indexOf(':');
        String head = (colon > 0 ? n.substring(0, colon) : n).toLowerCase(Locale.ROOT);
        boolean withFile = colon > 0;
        return TYPES.stream().filter(t -> t.name().equals(head) && (t.scheme() == withFile)).findFirst();
    }

    /**
     * @param name an encoder's name, e.g. {@code onnx:clip.onnx}
     * @return the file after the colon of a scheme name, or null
     */
    public static Path fileOf(String name) {
        int colon = name.indexOf(':');
        return colon > 0 && colon < name.length() - 1 ? Path.of(name.substring(colon + 1).trim()) : null;
    }

    /**
     * @param name an encoder's name
     * @param weights a weights file (a directory for concepts), or null for the published default
     * @return the encoder, giving pooled vectors
     * @throws CaptionerException if the name is unknown or the weights cannot be found or read
     */
    public static ImageEncoder open(String name, Path weights) {
        return open(name, weights, FeatureKind.POOLED);
    }

    /**
     * @param name an encoder's name
     * @param weights a weights file (a directory for concepts), or null for the published default
     * @param kind pooled vectors, or grids of annotation vectors (for attention models)
     * @return the encoder
     */
    public static ImageEncoder open(String name, Path weights, FeatureKind kind) {
        return open(name, weights, kind, new Downloader(Progress.defaultLog()));
    }

    /**
     * @param name an encoder's name
     * @param weights a weights file (a directory for concepts), or null for the published default
     * @param kind pooled vectors or grids
     * @param downloader fetches the published default when it is not cached yet
     * @return the encoder
     */
    public static ImageEncoder open(String name, Path weights, FeatureKind kind, Downloader downloader) {
        return open(name, weights, null, kind, downloader);
    }

    /**
     * @param name an encoder's name ({@code onnx:FILE} for an exported model)
     * @param weights a weights file, or null for the default (for an exported model: where its
     *     file is now, if it moved)
     * @param card the card an exported model's features were made with, or null to read the card
     *     beside the model
     * @param kind pooled vectors or grids
     * @param downloader fetches the published default when it is not cached yet
     * @return the encoder
     */
    public static ImageEncoder open(String name, Path weights, EncoderCard card, FeatureKind kind,
            Downloader downloader) {
        return open(name, weights, card, kind, downloader, null);
    }

    /**
     * Opens an encoder whose weights must have a known SHA-256 (a caption model's record of the
     * weights its features came from): the file is hashed and compared before any engine (a
     * native one, for ONNX and TorchScript) opens it, so a swapped model file is never run.
     *
     * @param name an encoder's name
     * @param weights a weights file, or null for the default
     * @param card the card an exported model's features were made with, or null
     * @param kind pooled vectors or grids
     * @param downloader fetches the published default when it is not cached yet
     * @param sha256 the SHA-256 the weights must have, or null for no check
     * @return the encoder
     */
    public static ImageEncoder open(String name, Path weights, EncoderCard card, FeatureKind kind,
            Downloader downloader, String sha256) {
        ImageEncoder encoder = type(name).opener().open(new EncoderType.Source(fileOf(name), weights, card, sha256),
                downloader);
        try {
            return kind == FeatureKind.GRID ? encoder.gridded() : encoder;
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    /** The cached copy of published weights, downloaded first if needed, and checked. */
    static Path published(PublishedWeights w, Downloader downloader) {
        return fetch(w, w.file(), downloader);
    }

    /**
     * Fetches published weights into the cache unless they are there; a cached file is checked
     * again against its published checksum (or the SHA-256 recorded at its first download where
     * none is published) by the downloader.
     *
     * @param w the weights
     * @param source where to fetch them from ({@code w.file()}, or the same file on a mirror)
     * @param downloader fetches and verifies
     * @return the cached file
     * @throws CaptionerException offline, naming every address and where to put the file
     */
    public static Path fetch(PublishedWeights w, dev.captioner.util.RemoteFile source, Downloader downloader) {
        Path file;
        try {
            file = downloader.fetch(source, w.cached().getParent());
        } catch (Downloader.DownloadFailedException e) {
            if (!e.unreachable()) {
                throw e;
            }
            throw new CaptionerException("cannot download the " + w.id() + " weights (offline, or blocked?): fetch "
                    + String.join(" or ", source.urls()) + " yourself and place it at " + w.cached().toAbsolutePath()
                    + ", or pass --weights FILE", e);
        }
        return file;
    }

    private static NetworkEncoder located(NetworkEncoder encoder, Path file) {
        encoder.location(file);
        return encoder;
    }

    /**
     * @param file a weights file
     * @param expected the SHA-256 it must have, or null
     * @return its SHA-256
     * @throws CaptionerException naming the file if it differs, before anything opens it
     */
    static String verified(Path file, String expected) {
        String actual = sha256(file);
        if (expected != null && !actual.equalsIgnoreCase(expected)) {
            throw new CaptionerException(file + ": SHA-256 " + actual + ", not the " + expected + " the model was "
                    + "trained with; not opened (pass the right weights with --weights)");
        }
        return actual;
    }

    static String sha256(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such weights file");
        }
        return Digests.sha256(file);
    }
}
