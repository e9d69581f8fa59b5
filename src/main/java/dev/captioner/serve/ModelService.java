package dev.captioner.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.Captioner;
import dev.captioner.decode.Caption;
import dev.captioner.model.ModelConfig;
import dev.captioner.image.DecodeScale;
import dev.captioner.vision.GridShape;
import dev.captioner.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real service: a {@link Captioner} on a model directory. It counts the network calls
 * running, so that {@link #close()} frees the model's native memory only when none is: a stop
 * whose grace period ran out never pulls the tensors from under a forward pass.
 */
public final class ModelService implements BatchCaptionService, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);
    /** How long {@link #close()} waits for network calls still running. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);

    private final Captioner captioner;
    private volatile StageTimer timer = (stage, seconds) -> { };
    private int running;
    private boolean closed;

    /** @param captioner a loaded captioner; closed with this service */
    public ModelService(Captioner captioner) {
        this.captioner = captioner;
    }

    @Override
    public void timeStages(StageTimer stageTimer) {
        this.timer = stageTimer;
    }

    @Override
    public List<Caption> caption(RgbImage image, int beam) {
        return caption(List.of(prepare(image)), beam).get(0);
    }

    @Override
    public DecodeScale decodeScale() {
        return captioner.decodeScale();
    }

    @Override
    public float[] prepare(RgbImage image) {
        return captioner.prepare(image);
    }

    @Override
    public List<List<Caption>> caption(List<float[]> inputs, int beam) {
        enter();
        try {
            long t0 = System.nanoTime();
            float[][] features = captioner.encodeInputs(inputs);
            long t1 = System.nanoTime();
            List<List<Caption>> captions = captioner.alternativesOfFeatures(features, beam);
            timer.record("encode", (t1 - t0) / 1e9);
            timer.record("caption", (System.nanoTime() - t1) / 1e9);
            return captions;
        } finally {
            exit();
        }
    }

    private synchronized void enter() {
        if (closed) {
            throw new RejectedExecutionException("the model has been closed");
        }
        running++;
    }

    private synchronized void exit() {
        running--;
        notifyAll();
    }

    @Override
    public GridShape attentionGrid() {
        return captioner.attentionGrid();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>(captioner.describe());
        Object metrics = metrics(captioner.dir());
        if (metrics != null) {
            m.put("metrics", metrics);
        }
        return m;
    }

    /** Scores, if the model sits in a run folder ({@code ../eval/*&#47;metrics.json}) or has its own. */
    private static Object metrics(Path modelDir) {
        Map<String, Object> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        Path own = modelDir.resolve("metrics.json");
        Path eval = modelDir.toAbsolutePath().getParent() == null ? null : modelDir.toAbsolutePath().getParent().resolve("eval");
        try {
            if (Files.isRegularFile(own)) {
                return json.readTree(own.toFile());
            }
            if (eval != null && Files.isDirectory(eval)) {
                try (var dirs = Files.list(eval)) {
                    for (Path d : dirs.sorted().toList()) {
                        if (Files.isRegularFile(d.resolve("metrics.json"))) {
                            out.put(d.getFileName().toString(), json.readTree(d.resolve("metrics.json").toFile()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return out.isEmpty() ? null : out;
    }

    /**
     * Refuses new calls, waits (up to a minute) for the running ones, then frees the model; if a
     * call is still running then, the model is left for the process's exit to reclaim rather than
     * freed under it.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
            try {
                while (running > 0 && deadline - System.nanoTime() > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (running > 0) {
                LOG.warn("{} network call(s) still running after {} s; the model is not freed under them", running,
                        CLOSE_WAIT.toSeconds());
                return;
            }
        }
        captioner.close();
    }
}
