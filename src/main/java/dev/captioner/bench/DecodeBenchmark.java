package dev.captioner.bench;

import ai.djl.engine.Engine;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionModel;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.ModelSpec;
import dev.captioner.util.EngineThreads;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.ImageLoader;
import dev.captioner.vision.RandomWeights;
import dev.captioner.vision.Vgg16Encoder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Decoding speed of a Flickr8k-sized model with random weights (V = 7,579, 4,096-d features, or
 * 14 × 14 × 512 grids for the attention model, max length 34): captions per second from cached
 * features for greedy and beam search, batched; and
 * the latency of captioning one JPEG from scratch (decode, resize, VGG16, greedy search).
 * Random weights rarely choose the end marker, so captions run to the length limit: this is the
 * worst case; trained models stop earlier.
 */
public final class DecodeBenchmark {

    /**
     * Throughput from cached features.
     *
     * @param beam beam width
     * @param images images captioned
     * @param batch images per decoder call
     * @param seconds wall time
     * @param captionsPerSecond throughput
     */
    public record Throughput(int beam, int images, int batch, double seconds, double captionsPerSecond) {}

    /**
     * Single-image latency from a JPEG file.
     *
     * @param runs timed runs
     * @param medianMs median milliseconds
     * @param minMs fastest run
     * @param encoderMs median milliseconds spent in the VGG16 encoder
     */
    public record Latency(int runs, double medianMs, double minMs, double encoderMs) {}

    private DecodeBenchmark() {}

    /**
     * Writes a random Flickr8k-sized model.
     *
     * @param dir where
     * @param seed initialisation seed
     * @return the model directory
     */
    public static Path randomModel(Path dir, long seed) throws IOException {
        return randomModel(dir, seed, Architecture.MERGE);
    }

    /**
     * Writes a random Flickr8k-sized model of an architecture: attention models read VGG16's
     * 14 × 14 × 512 {@code block5_conv3} grids.
     *
     * @param dir where
     * @param seed initialisation seed
     * @param architecture which model
     * @return the model directory
     */
    public static Path randomModel(Path dir, long seed, Architecture architecture) throws IOException {
        return randomModel(dir, seed, architecture, "random");
    }

    /**
     * As {@link #randomModel(Path, long, Architecture)}, for the VGG16 weights file with that
     * SHA-256 (captioning checks that the weights it is given are the model's).
     *
     * @param dir where
     * @param seed initialisation seed
     * @param architecture which model
     * @param weightsSha256 the SHA-256 the model records for its encoder's weights
     * @return the model directory
     */
    public static Path randomModel(Path dir, long seed, Architecture architecture, String weightsSha256)
            throws IOException {
        return randomModel(dir, seed, architecture, new ModelConfig.EncoderInfo(Vgg16Encoder.NAME,
                architecture.features() == FeatureKind.GRID ? TrainBenchmark.FLICKR8K_GRID.size() : 4096, 224,
                weightsSha256, null, architecture.features() == FeatureKind.GRID ? TrainBenchmark.FLICKR8K_GRID : null));
    }

    /**
     * A random Flickr8k-sized model reading another encoder's features.
     *
     * @param dir where
     * @param seed initialisation seed
     * @param architecture which model
     * @param encoder the encoder it reads, as a model records it
     * @return the model directory
     */
    public static Path randomModel(Path dir, long seed, Architecture architecture, ModelConfig.EncoderInfo encoder)
            throws IOException {
        List<List<String>> captions = new ArrayList<>();
        List<String> words = new ArrayList<>(List.of(Cleaning.START, Cleaning.END));
        for (int i = 0; i < 7576; i++) {
            words.add("w" + i);
        }
        captions.add(words);
        Vocabulary vocab = Vocabulary.build(captions, 1);
        ModelConfig config = ModelConfig.of(ModelSpec.defaults(architecture), vocab.size(), 34, encoder, null);
        Engine.getInstance().setRandomSeed((int) seed);
        Files.createDirectories(dir);
        return CaptionModel.writeUntrained(dir, config, vocab);
    }

    /**
     * @param model a model
     * @param beam beam width
     * @param images how many feature vectors to caption
     * @param batch images per call
     * @return the measurement
     */
    public static Throughput throughput(CaptionModel model, int beam, int images, int batch) {
        EngineThreads.set(Runtime.getRuntime().availableProcessors());
        Random r = new Random(1);
        float[][] features = new float[images][model.config().featureDim()];
        for (float[] f : features) {
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) Math.max(0, r.nextGaussian());
            }
        }
        CaptionDecoder decoder = new CaptionDecoder(model);
        DecodeSpec options = DecodeSpec.beam(beam);
        decoder.decode(Arrays.copyOf(features, Math.min(batch, images)), options); // warm-up
        long start = System.nanoTime();
        for (int i = 0; i < images; i += batch) {
            decoder.decode(Arrays.copyOfRange(features, i, Math.min(images, i + batch)), options);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Throughput(beam, images, batch, seconds, images / seconds);
    }

    /**
     * @param model a model reading 4,096-d VGG16 features
     * @param runs timed runs
     * @return latency of one JPEG through decoding, VGG16 (random weights) and greedy search
     */
    public static Latency latency(CaptionModel model, int runs) throws IOException {
        EngineThreads.set(Runtime.getRuntime().availableProcessors());
        byte[] jpeg = photo();
        ImageLoader loader = ImageLoader.withDefaults();
        CaptionDecoder decoder = new CaptionDecoder(model);
        double[] total = new double[runs];
        double[] enc = new double[runs];
        try (ImageEncoder vgg = RandomWeights.vgg16(1)) {
            decoder.decode(new float[][] {vgg.encode(loader.decode(jpeg, "bench.jpg"))}, DecodeSpec.greedy());
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                float[] f = vgg.encode(loader.decode(jpeg, "bench.jpg"));
                long t1 = System.nanoTime();
                decoder.decode(new float[][] {f}, DecodeSpec.greedy());
                long t2 = System.nanoTime();
                total[i] = (t2 - t0) / 1e6;
                enc[i] = (t1 - t0) / 1e6;
            }
        }
        return new Latency(runs, median(total), Arrays.stream(total).min().orElse(0), median(enc));
    }

    /**
     * Forward arithmetic of one caption decoded to {@code steps} words with beam {@code beam}: one
     * network step per word and beam row, the image's projection once (the network's own count,
     * {@link CaptionNet#multiplyAdds()}).
     *
     * @param config the model's sizes
     * @param beam beam width
     * @param steps words generated
     * @return FLOPs per caption
     */
    public static double flopsPerCaption(ModelConfig config, int beam, int steps) {
        return CaptionNet.create(config).multiplyAdds().decodeFlops(beam, steps);
    }

    /** @return the median of {@code v} (the upper one of an even count), {@code v} untouched */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** A 500×375 JPEG, Flickr8k's typical size. */
    private static byte[] photo() throws IOException {
        BufferedImage img = new BufferedImage(500, 375, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        Random r = new Random(3);
        for (int i = 0; i < 200; i++) {
            g.setColor(new Color(r.nextInt(0xFFFFFF)));
            g.fillOval(r.nextInt(500), r.nextInt(375), 20 + r.nextInt(80), 20 + r.nextInt(80));
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
