package dev.captioner.model;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.captioner.data.Vocabulary;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import java.nio.file.Path;

/**
 * A trained caption model loaded for inference: configuration, vocabulary and network with the
 * best epoch's parameters, which never record gradients. Load one with {@link #load(Path)}; the
 * directory may have been moved anywhere since training.
 */
public final class CaptionModel implements AutoCloseable {

    private final Path dir;
    private final ModelConfig config;
    private final Vocabulary vocabulary;
    private final CaptionNet net;
    private final NDManager manager;

    private CaptionModel(Path dir, ModelConfig config, Vocabulary vocabulary, CaptionNet net, NDManager manager) {
        this.dir = dir;
        this.config = config;
        this.vocabulary = vocabulary;
        this.net = net;
        this.manager = manager;
    }

    /**
     * @param dir a model directory written by {@code captioner train}
     * @return the model
     * @throws CaptionerException naming what is missing if the directory is not a finished model
     */
    public static CaptionModel load(Path dir) {
        ModelDirectory files = new ModelDirectory(dir);
        ModelConfig config = files.config();
        Vocabulary vocab = files.vocabulary(config);
        NDManager manager = NDManager.newBaseManager();
        try {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(manager);
            files.loadParameters(net, manager);
            for (Pair<String, Parameter> p : net.getParameters()) {
                p.getValue().getArray().setRequiresGradient(false);
            }
            return new CaptionModel(dir, config, vocab, net, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Writes a model directory with freshly initialised, untrained parameters (from the engine's
     * current random seed): what benchmarks and tests caption with when training is not the point.
     *
     * @param dir the directory to write
     * @param config the model's sizes
     * @param vocabulary its vocabulary, of {@code config.vocabularySize()} entries
     * @return {@code dir}
     */
    public static Path writeUntrained(Path dir, ModelConfig config, Vocabulary vocabulary) {
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(m);
            new ModelDirectory(dir).write(net, vocabulary);
        }
        return dir;
    }

    /** @return where the model was loaded from */
    public Path dir() {
        return dir;
    }

    /** @return architecture, sizes, cleaning and encoder */
    public ModelConfig config() {
        return config;
    }

    /** @return the directory's files */
    public ModelDirectory files() {
        return new ModelDirectory(dir);
    }

    /** @return whether it reads pooled vectors or grids */
    public FeatureKind features() {
        return config.features();
    }

    /**
     * @return the grid each word's attention map covers, or null when the architecture yields no
     *     maps; every caption of such a model carries one map per word
     */
    public GridShape attentionGrid() {
        return config.attentionGrid();
    }

    /** @return the vocabulary */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** @return the network */
    public CaptionNet net() {
        return net;
    }

    /** @return the manager that owns the parameters; decoders open sub-managers of it */
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
