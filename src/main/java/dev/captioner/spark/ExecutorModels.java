package dev.captioner.spark;

import dev.captioner.Captioner;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.NativeAllocator;
import dev.captioner.util.Downloader;
import dev.captioner.util.Progress;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.Encoders;
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
    private static final Map<EncoderSpec, ImageEncoder> ENCODERS = new ConcurrentHashMap<>();
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
     * @param spec the encoder (an exported model's location, and its weights', as
     *     {@link ModelLocation} prepared them), its card and what it gives
     * @return this JVM's encoder
     */
    static ImageEncoder encoder(EncoderSpec spec) {
        return ENCODERS.computeIfAbsent(spec, k -> {
            threads();
            LOADS.incrementAndGet();
            String name = spec.encoder();
            int colon = name.indexOf(':');
            String local = Encoders.fileOf(name) == null ? name
                    : name.substring(0, colon + 1) + ModelLocation.resolve(name.substring(colon + 1));
            EncoderCard card = spec.cardJson() == null ? null : EncoderCard.parse(spec.cardJson(), "the job's encoder card");
            ImageEncoder encoder = Encoders.open(local, spec.weights() == null ? null : ModelLocation.resolve(spec.weights()),
                    card, spec.kind(), new Downloader(Progress.defaultLog()));
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
