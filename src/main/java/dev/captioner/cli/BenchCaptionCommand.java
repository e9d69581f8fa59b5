package dev.captioner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.Captioner;
import dev.captioner.decode.Caption;
import dev.captioner.bench.PeerScript;
import dev.captioner.image.RgbImage;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code captioner bench caption}: a pretrained captioner's speed, and in the same run the same
 * network in PyTorch eager with a key/value cache.
 */
@Command(name = "caption", mixinStandardHelpOptions = true,
        description = "A pretrained captioner's speed: load time, a lone caption's latency, captions/s for 1, 8 and 16 "
                + "images captioned together (the server's micro-batched path, in process), resident memory; and in "
                + "the same run the same network in PyTorch eager with a key/value cache (bench/pytorch_pretrained.py, "
                + "Debian's python3-torch). Without --model, that script first exports a random-weight model of "
                + "vit-gpt2-image-captioning's shapes (ViT-B/16 + GPT-2 small) to a temporary folder. --variant quantized "
                + "measures the quantized graphs and, in the same run, the default ones (and without --model makes the "
                + "export's quantized graphs with bench/quantize_dynamic.py).")
public final class BenchCaptionCommand implements Callable<Integer> {

    private static final Path SCRIPT = Path.of("bench", "pytorch_pretrained.py");
    private static final Path QUANTIZE = Path.of("bench", "quantize_dynamic.py");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "A pretrained folder (default: the random-weight export).")
    Path model;

@picocli.CommandLine.Mixin
    dev.captioner.options.PretrainedVariant variants;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Timed runs of each figure (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--no-peer", description = "Skip the PyTorch peer.")
    boolean noPeer;

    @Override
    public Integer call() throws Exception {
        String variant = dev.captioner.options.Checked.of(spec, variants::variant);
        Map<String, Object> out = new LinkedHashMap<>();
        int cores = Runtime.getRuntime().availableProcessors();
        out.put("cores", cores);
        EngineThreads.set(cores);
        Path dir = model;
        Path temp = null;
        if (dir == null) {
            temp = Files.createTempDirectory("captioner-bench-caption");
            dir = temp.resolve("vit-gpt2-shapes");
            if (PeerScript.run(SCRIPT, List.of("--export", dir.toString()), spec.commandLine().getErr()) == null) {
                throw new CaptionerException(SCRIPT + " could not export the benchmark's model; pass --model DIR");
            }
            if (quantized()) {
                JsonNode q = PeerScript.run(QUANTIZE, List.of(dir.toString()), spec.commandLine().getErr());
                if (q == null) {
                    throw new CaptionerException(QUANTIZE + " could not quantize the benchmark's model; pass --model DIR");
                }
                out.put("quantization", q);
            }
        }
        try {
            // The quantized graphs first, so that their resident memory is theirs alone.
            measure(dir, variant, out);
            if (quantized()) {
                Map<String, Object> full = new LinkedHashMap<>();
                measure(dir, null, full);
                out.put("default_variant", full);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("lone", (double) full.get("lone_caption_seconds") / (double) out.get("lone_caption_seconds"));
                r.put("batch8", (double) out.get("captions_per_second_batch8")
                        / (double) full.get("captions_per_second_batch8"));
                out.put("quantized_vs_default_same_run", r);
            }
        } finally {
            if (temp != null) {
                FileTrees.delete(temp);
            }
        }
        if (!noPeer) {
            JsonNode peer = PeerScript.run(SCRIPT, List.of("--peer", "--threads", String.valueOf(cores), "--runs",
                    String.valueOf(runs)), spec.commandLine().getErr());
            out.put("pytorch_eager_kv_cache", peer);
            ratios(out, peer);
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }

    private boolean quantized() {
        return "quantized".equals(variants.variant());
    }

    private void measure(Path dir, String graphs, Map<String, Object> out) {
        long t0 = System.nanoTime();
        try (Captioner c = Captioner.load(dir, Captioner.Spec.defaults().withVariant(graphs))) {
            out.put("variant", graphs == null ? "default" : graphs);
            out.put("load_seconds", (System.nanoTime() - t0) / 1e9);
            RgbImage photo = photo(640, 480);
            c.alternatives(photo); // warm-up
            double[] lone = new double[runs];
            int tokens = 0;
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                tokens = c.alternatives(photo).get(0).words().size();
                lone[i] = (System.nanoTime() - s) / 1e9;
            }
            Arrays.sort(lone);
            out.put("lone_caption_seconds", lone[runs / 2]);
            out.put("lone_caption_words", tokens);
            for (int n : new int[] {1, 8, 16}) {
                List<float[]> inputs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    inputs.add(c.prepare(photo(640, 480 + i)));
                }
                List<List<Caption>> made = c.alternativesOfInputs(inputs, 1);
                double best = Double.MAX_VALUE;
                for (int i = 0; i < runs; i++) {
                    long s = System.nanoTime();
                    c.alternativesOfInputs(inputs, 1);
                    best = Math.min(best, (System.nanoTime() - s) / 1e9);
                }
                out.put("captions_per_second_batch" + n, n / best);
                // The same work on both variants: with random weights every caption runs to the limit.
                out.put("mean_words_batch" + n, made.stream().mapToInt(a -> a.get(0).words().size()).average().orElse(0));
            }
            out.put("resident_mb", residentMb("VmRSS"));
            out.put("peak_resident_mb", residentMb("VmHWM"));
        }
    }

    /** The peer's figures against ours, both from this run. */
    private static void ratios(Map<String, Object> out, JsonNode peer) {
        if (peer == null || !peer.has("batch1")) {
            return;
        }
        double peerLone = peer.get("batch1").get("captions_per_second").asDouble();
        double peer8 = peer.get("batch8").get("captions_per_second").asDouble();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("lone_vs_peer_batch1", (1 / (double) out.get("lone_caption_seconds")) / peerLone);
        r.put("batch8_vs_peer_batch8", (double) out.get("captions_per_second_batch8") / peer8);
        if (out.get("default_variant") instanceof Map<?, ?> full) {
            r.put("default_lone_vs_peer_batch1", (1 / (double) full.get("lone_caption_seconds")) / peerLone);
            r.put("default_batch8_vs_peer_batch8", (double) full.get("captions_per_second_batch8") / peer8);
        }
        out.put("same_run_ratios", r);
    }

    /** A photo-like image: smooth gradients with noise, so no decoder shortcut applies. */
    static RgbImage photo(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        SplittableRandom random = new SplittableRandom(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) ((x * 255 / w + random.nextInt(16)) & 0xFF);
                rgb[i + 1] = (byte) ((y * 255 / h + random.nextInt(16)) & 0xFF);
                rgb[i + 2] = (byte) (((x + y) * 127 / (w + h) + random.nextInt(16)) & 0xFF);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static double residentMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
