package dev.captioner.cli;

import dev.captioner.options.TrainingOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.Captioner;
import dev.captioner.bench.DecodeAgreement;
import dev.captioner.bench.DecodeBenchmark;
import dev.captioner.bench.PeerScript;
import dev.captioner.bench.PhotoBenchmark;
import dev.captioner.bench.Roofline;
import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionModel;
import dev.captioner.util.EngineThreads;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.Encoders;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.ImageLoader;
import dev.captioner.vision.RandomWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench decode}: captions/s and single-image latency. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Captions per second (greedy, beam 3) from cached features on Flickr8k-sized models with random "
                + "weights (merge reads 4,096-d vectors; attention and transformer read 14 x 14 x 512 grids), with and "
                + "without the decoding cache for a network that keeps one; and single-image latency from a JPEG "
                + "(merge).")
public final class BenchDecodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--architecture", paramLabel = "A", split = ",",
            converter = TrainingOptions.ArchitectureConverter.class,
            completionCandidates = TrainingOptions.ArchitectureNames.class,
            description = "Models to time, comma-separated: ${COMPLETION-CANDIDATES} (default: all).")
    List<Architecture> architectures;

    @Option(names = "--images", defaultValue = "128", paramLabel = "N", description = "Images to caption (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Images per decoder call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "Latency runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--photo", paramLabel = "WxH", split = ",",
            description = "Photo mode instead: a generated JPEG of each size (e.g. 4032x3024,512x929) decoded whole and "
                    + "only as far as VGG16 reads, VGG16 (random weights) and a greedy merge search on it, and Pillow's "
                    + "draft decode with the same network in PyTorch (bench/photo_peer.py) in the same run.")
    List<String> photos;

    @Option(names = "--agreement", paramLabel = "DIR", split = ",",
            description = "Agreement mode instead: caption every photo in these folders from the exact and the fast "
                    + "decode, with a VGG16-shaped merge model of random weights and each --agreement-model, and count "
                    + "identical captions and feature cosines.")
    List<Path> agreement;

    @Option(names = "--agreement-model", paramLabel = "DIR", split = ",",
            description = "Trained models (with their encoders) for --agreement.")
    List<Path> agreementModels;

    @Option(names = "--agreement-encoder", paramLabel = "ENCODER", split = ",",
            description = "Exported encoders (onnx:FILE or torchscript:FILE, each with its card beside it) for "
                    + "--agreement: their features from both decodes, read by a merge model of random weights.")
    List<String> agreementEncoders;

    private Map<String, Object> agreementMode(Path dir) throws Exception {
        List<Path> files = CaptionCommand.expand(agreement);
        // As stored, and enlarged to a phone's 12 MP with sensor noise: the size the fast path is for.
        List<DecodeAgreement.Photo> stored = new ArrayList<>();
        List<DecodeAgreement.Photo> phone = new ArrayList<>();
        for (Path f : files) {
            DecodeAgreement.Photo p = new DecodeAgreement.Photo(f.getFileName().toString(), Files.readAllBytes(f));
            stored.add(p);
            phone.add(DecodeAgreement.enlarged(p, 4032));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("photos", files.size());
        EngineThreads.set(Runtime.getRuntime().availableProcessors());
        try (ImageEncoder vgg = RandomWeights.vgg16(1);
                CaptionModel model = CaptionModel.load(DecodeBenchmark.randomModel(dir.resolve("merge"), 1,
                        Architecture.MERGE))) {
            out.put("vgg16_random_merge", DecodeAgreement.compare(vgg, model, stored));
            out.put("vgg16_random_merge_12mp", DecodeAgreement.compare(vgg, model, phone));
        }
        int e = 0;
        for (String name : agreementEncoders == null ? List.<String>of() : agreementEncoders) {
            try (ImageEncoder enc = Encoders.open(name, null);
                    CaptionModel model = CaptionModel.load(DecodeBenchmark.randomModel(dir.resolve("encoder" + e++), 1,
                            Architecture.MERGE, new dev.captioner.model.ModelConfig.EncoderInfo(name, enc.featureDim(),
                                    enc.imageSize(), enc.weightsSha256(), null)))) {
                out.put(name, DecodeAgreement.compare(enc, model, stored));
                out.put(name + " 12mp", DecodeAgreement.compare(enc, model, phone));
            }
        }
        for (Path m : agreementModels == null ? List.<Path>of() : agreementModels) {
            try (Captioner c = Captioner.load(m)) {
                if (c.model() == null) {
                    throw new CaptionerException(m + ": a pretrained folder; --agreement-model takes a trained model");
                }
                out.put(m.toString(), DecodeAgreement.compare(c.encoder(), c.model(), stored));
                out.put(m + " 12mp", DecodeAgreement.compare(c.encoder(), c.model(), phone));
            }
        }
        return out;
    }

    /** @return the median milliseconds of the greedy search alone on one image's features */
    private double search(CaptionModel model, float[] features) {
        CaptionDecoder decoder = new CaptionDecoder(model);
        double[] ms = new double[runs + 1];
        for (int i = 0; i <= runs; i++) { // the first is a warm-up
            long t0 = System.nanoTime();
            decoder.decode(new float[][] {features}, DecodeSpec.greedy());
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] timed = Arrays.copyOfRange(ms, 1, ms.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }

    private Map<String, Object> photoMode(Path dir) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        EngineThreads.set(Runtime.getRuntime().availableProcessors());
        try (ImageEncoder vgg = RandomWeights.vgg16(1);
                CaptionModel model = CaptionModel.load(DecodeBenchmark.randomModel(dir.resolve("merge"), 1,
                        Architecture.MERGE))) {
            for (String size : photos) {
                byte[] jpeg = photo(size);
                PhotoBenchmark.Times t = PhotoBenchmark.time(jpeg, vgg, runs);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("captioner", t);
                // Of the image's own work (decode and VGG16); the random model's search runs every
                // caption to the length limit, far longer than a trained model's, so it stays apart.
                double before = t.exactMs() / (t.exactMs() + t.encodeMs());
                double after = t.fastMs() / (t.fastMs() + t.encodeMs());
                m.put("decode_share_exact", Math.round(before * 1000) / 1000.0);
                m.put("decode_share_fast", Math.round(after * 1000) / 1000.0);
                if (!out.containsKey("greedy_search_ms_random_model")) {
                    double search = search(model, vgg.encode(ImageLoader.withDefaults().decode(jpeg, "photo.jpg")));
                    out.put("greedy_search_ms_random_model", Math.round(search * 100) / 100.0);
                }
                Path file = dir.resolve("photo-" + size + ".jpg");
                Files.write(file, jpeg);
                JsonNode peer = PeerScript.run(Path.of("bench", "photo_peer.py"), List.of("--photo", file.toString(),
                        "--net", "vgg16", "--size", "224", "--runs", String.valueOf(runs)), spec.commandLine().getErr());
                if (peer != null) {
                    m.put("pytorch_pillow", peer);
                }
                out.put(size, m);
            }
        }
        return out;
    }

    /** Random weights rarely end a caption: every one runs to the model's length limit. */
    private void roofline(Map<String, Object> out, String name, CaptionModel model, int beam) {
        DecodeBenchmark.Throughput t = DecodeBenchmark.throughput(model, beam, images, batch);
        out.put(name, t);
        out.put(name + "_roofline", Roofline.of(DecodeBenchmark.flopsPerCaption(model.config(), t.beam(),
                model.config().maxLength() - 1), t.captionsPerSecond()));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("captioner-bench");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        try {
            if (photos != null) {
                out = photoMode(dir);
            } else if (agreement != null) {
                out = agreementMode(dir);
            } else {
                architectures(dir, out);
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }

    /** @return a generated photo of {@code WxH} pixels */
    private byte[] photo(String size) throws java.io.IOException {
        try {
            return PhotoBenchmark.jpeg(size);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--photo: " + e.getMessage());
        }
    }

    /** Throughput of every architecture (or those asked for) and one image's latency. */
    private void architectures(Path dir, Map<String, Object> out) throws Exception {
        for (Architecture a : architectures == null ? List.of(Architecture.values()) : architectures) {
            try (CaptionModel model = CaptionModel.load(DecodeBenchmark.randomModel(dir.resolve(a.id()), 1, a))) {
                roofline(out, a.id() + "_greedy", model, 1);
                roofline(out, a.id() + "_beam3", model, 3);
                if (a.decodingCache()) {
                    model.net().useCache(false);
                    roofline(out, a.id() + "_greedy_uncached", model, 1);
                    roofline(out, a.id() + "_beam3_uncached", model, 3);
                    model.net().useCache(true);
                }
                if (a.features() == FeatureKind.POOLED && !out.containsKey("single_image_latency")) {
                    out.put("single_image_latency", DecodeBenchmark.latency(model, runs));
                }
            }
        }
    }
}
