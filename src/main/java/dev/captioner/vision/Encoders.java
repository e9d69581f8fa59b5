package dev.captioner.vision;

import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens an encoder by name, finding its weights: the file given with {@code --weights}, else the
 * published file in the cache ({@code $CAPTIONER_HOME/weights}, default
 * {@code ~/.cache/captioner/weights}), downloaded there on first use.
 */
public final class Encoders {

    /** The encoders captioner has. */
    public static final List<String> NAMES = List.of("vgg16", "mobilenet", "concepts");

    private Encoders() {}

    /** @return captioner's cache folder: {@code $CAPTIONER_HOME} or {@code ~/.cache/captioner} */
    public static Path home() {
        String env = System.getenv("CAPTIONER_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "captioner");
    }

    /**
     * @param name vgg16, mobilenet or concepts
     * @param weights a weights file (a directory for concepts), or null for the published default
     * @return the encoder
     * @throws CaptionerException if the name is unknown or the weights cannot be found or read
     */
    public static ImageEncoder open(String name, Path weights) {
        return open(name, weights, new WeightsDownloader());
    }

    static ImageEncoder open(String name, Path weights, WeightsDownloader downloader) {
        String n = name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "vgg16": {
                Path file = weights != null ? weights : downloader.fetch(WeightsFile.VGG16, cached(WeightsFile.VGG16));
                return located(Vgg16Encoder.load(KerasWeights.read(file), sha256(file), 224), file);
            }
            case "mobilenet": {
                Path file = weights != null ? weights : downloader.fetch(WeightsFile.MOBILENET, cached(WeightsFile.MOBILENET));
                return located(MobileNetEncoder.load(KerasWeights.read(file), sha256(file), 224), file);
            }
            case "concepts":
                if (weights == null) {
                    throw new CaptionerException("the concepts encoder has no published weights: train one with "
                            + "'captioner encoder train --data PATH --out DIR' and pass --weights DIR");
                }
                return located(ConceptsEncoder.load(weights),
                        Files.isRegularFile(weights) ? weights.toAbsolutePath().getParent() : weights);
            default:
                throw new CaptionerException("unknown encoder '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        }
    }

    private static ImageEncoder located(NetworkEncoder encoder, Path file) {
        encoder.location(file);
        return encoder;
    }

    /** @return where a published file is cached */
    public static Path cached(WeightsFile file) {
        return home().resolve("weights").resolve(file.fileName());
    }

    static String sha256(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such weights file");
        }
        try {
            return WeightsDownloader.digest(file, "SHA-256");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
