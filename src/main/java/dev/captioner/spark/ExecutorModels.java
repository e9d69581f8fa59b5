package dev.captioner.spark;

import dev.captioner.Captioner;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.NativeAllocator;
import dev.captioner.util.Downloader;
import dev.captioner.util.Progress;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.ImageEncoder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one executor JVM: loaded once, on first use by any task, and shared by every
 * task after it (a model is safe to use from many threads). PyTorch's thread count is set to
 * {@code spark.task.cpus}, the cores each task was given.
 */
final class ExecutorModels {

    private static final Map<CaptionerSpec, Captioner> CAPTIONERS = new ConcurrentHashMap<>();
    private static final Map<String, ImageEncoder> ENCODERS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

    private ExecutorModels() {}

    /**
     * @param spec the model and how to load it, with locations as {@link ModelLocation} prepared them
     * @return this JVM's captioner for that model
     */
    static Captioner captioner(CaptionerSpec spec) {
        return CAPTIONERS.computeIfAbsent(spec, k -> {
            threads();
            LOADS.incrementAndGet();
            Path w = spec.weights() == null ? null : ModelLocation.resolve(spec.weights());
            Path dir = ModelLocation.resolve(spec.model());
            Captioner captioner = Captioner.load(dir, spec.spec(w));
            loaded("model " + spec.model());
            return captioner;
        });
    }

    /**
     * @param name encoder name ({@code onnx:LOCATION} for an exported model, its location as
     *     {@link ModelLocation} prepared it)
     * @param weights where its weights are, or null for the published file in the cache
     * @param cardJson an exported encoder's card, or null for the card beside the model
     * @param kind pooled vectors or grids
     * @return this JVM's encoder
     */
    static ImageEncoder encoder(String name, String weights, String cardJson, FeatureKind kind) {
        return ENCODERS.computeIfAbsent(name + "\n" + weights + "\n" + cardJson + "\n" + kind, k -> {
            threads();
            LOADS.incrementAndGet();
            int colon = name.indexOf(':');
            String local = Encoders.fileOf(name) == null ? name
                    : name.substring(0, colon + 1) + ModelLocation.resolve(name.substring(colon + 1));
            EncoderCard card = cardJson == null ? null : EncoderCard.parse(cardJson, "the job's encoder card");
            ImageEncoder encoder = Encoders.open(local, weights == null ? null : ModelLocation.resolve(weights), card, kind,
                    new Downloader(Progress.defaultLog()));
            loaded("encoder " + name);
            return encoder;
        });
    }

    /** Closes and forgets every model (benchmarks compare cold runs in one JVM). */
    static synchronized void clear() {
        CAPTIONERS.values().forEach(Captioner::close);
        CAPTIONERS.clear();
        ENCODERS.values().forEach(ImageEncoder::close);
        ENCODERS.clear();
    }

    /** @return models loaded by this JVM so far (once per model, however many tasks ran) */
    static int loads() {
        return LOADS.get();
    }

    /** One line in the executor's log per load, so a cluster's logs show it happens once per JVM. */
    private static void loaded(String what) {
        LOG.info("captioner: loaded {} in JVM {} (load {} of this JVM)", what, ProcessHandle.current().pid(), LOADS.get());
    }

    private static void threads() {
        NativeAllocator.tune(); // executors never run SparkCaptioner.main
        SparkEnv env = SparkEnv.get();
        int cpus = env == null ? 1 : env.conf().getInt("spark.task.cpus", 1);
        // A task owns spark.task.cpus cores; its operations use them all.
        EngineThreads.set(Math.max(1, cpus));
    }
}
