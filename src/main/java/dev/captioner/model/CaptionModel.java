package dev.captioner.model;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.util.CaptionerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        if (!Files.isDirectory(dir)) {
            throw new CaptionerException(dir + ": no such model directory");
        }
        if (!Files.isRegularFile(dir.resolve(ModelConfig.FILE))) {
            String why = Files.isDirectory(dir.resolve(CaptionTrainer.TRAINING_DIR))
                    ? "its training has not finished (continue it with 'captioner train --resume')"
                    : "no " + ModelConfig.FILE;
            throw new CaptionerException(dir + ": not a trained model: " + why);
        }
        ModelConfig config = ModelConfig.load(dir);
        Path vocabFile = dir.resolve(CaptionTrainer.VOCAB);
        Vocabulary vocab = Vocabulary.load(vocabFile);
        if (vocab.size() != config.vocabularySize()) {
            throw new CaptionerException(vocabFile + ": has " + vocab.size() + " entries, but field 'vocabulary_size' of "
                    + ModelConfig.FILE + " says " + config.vocabularySize());
        }
        for (String marker : List.of(Cleaning.START, Cleaning.END)) {
            if (vocab.index(marker) < 1 || vocab.hasUnk() && vocab.index(marker) == vocab.index(Vocabulary.UNK)) {
                throw new CaptionerException(vocabFile + ": field 'words' lacks the marker '" + marker
                        + "' that every caption starts or ends with; not a caption model's vocabulary");
            }
        }
        Path params = dir.resolve(CaptionTrainer.PARAMS);
        if (!Files.isRegularFile(params)) {
            throw new CaptionerException(params + ": no such file; the model directory is incomplete");
        }
        NDManager manager = NDManager.newBaseManager();
        try {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(manager);
            CaptionTrainer.loadParams(net, dir.resolve(CaptionTrainer.PARAMS), manager);
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
        if (vocabulary.size() != config.vocabularySize()) {
            throw new IllegalArgumentException("vocabulary of " + vocabulary.size() + " for a model of "
                    + config.vocabularySize());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(m);
            CaptionTrainer.saveParams(net, dir.resolve(CaptionTrainer.PARAMS));
        }
        vocabulary.save(dir.resolve(CaptionTrainer.VOCAB));
        config.save(dir);
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
