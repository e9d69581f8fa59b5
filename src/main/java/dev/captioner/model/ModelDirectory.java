package dev.captioner.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model directory on disk, and the only class that knows its layout:
 * <ul>
 *   <li>{@code config.json}: the {@link ModelConfig}, written last, so its presence means the
 *       model is complete;</li>
 *   <li>{@code model.params}: the best epoch's parameters (DJL's block format);</li>
 *   <li>{@code vocab.json}: the {@link Vocabulary};</li>
 *   <li>{@code history.json} and {@code loss.png}: the training run's epochs and curves;</li>
 *   <li>{@code encoder/}: a copy of a small encoder's files, so the directory alone captions
 *       wherever it is moved;</li>
 *   <li>{@code training/}: an unfinished run's checkpoints (see {@code train.TrainingCheckpoint}), gone
 *       once training ends.</li>
 * </ul>
 * Reading checks what a truncated, foreign or half-written directory would get wrong and names
 * the file at fault.
 *
 * @param dir the directory
 */
public record ModelDirectory(Path dir) {

    /** The configuration. */
    public static final String CONFIG = "config.json";
    /** Parameters of the best epoch. */
    public static final String PARAMS = "model.params";
    /** Vocabulary. */
    public static final String VOCAB = "vocab.json";
    /** Per-epoch history. */
    public static final String HISTORY = "history.json";
    /** Loss curves. */
    public static final String LOSS_PNG = "loss.png";
    /** Folder of the encoder's own files, for encoders small enough to travel with the model. */
    public static final String ENCODER_DIR = "encoder";
    /** Folder of the resumable state of an unfinished run. */
    public static final String TRAINING_DIR = "training";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** @return {@code config.json} */
    public Path configFile() {
        return dir.resolve(CONFIG);
    }

    /** @return {@code model.params} */
    public Path paramsFile() {
        return dir.resolve(PARAMS);
    }

    /** @return {@code vocab.json} */
    public Path vocabularyFile() {
        return dir.resolve(VOCAB);
    }

    /** @return {@code history.json} */
    public Path historyFile() {
        return dir.resolve(HISTORY);
    }

    /** @return {@code loss.png} */
    public Path lossChart() {
        return dir.resolve(LOSS_PNG);
    }

    /** @return {@code encoder/}, which exists only for encoders that travel with their models */
    public Path encoderDir() {
        return dir.resolve(ENCODER_DIR);
    }

    /** @return {@code training/} */
    public Path trainingDir() {
        return dir.resolve(TRAINING_DIR);
    }

    /** @return whether {@code config.json} is there: training finished */
    public boolean isComplete() {
        return Files.isRegularFile(configFile());
    }

    /**
     * @return the configuration of a finished model
     * @throws CaptionerException if the directory is missing or its training has not finished
     */
    public ModelConfig config() {
        if (!Files.isDirectory(dir)) {
            throw new CaptionerException(dir + ": no such model directory");
        }
        if (!isComplete()) {
            String why = Files.isDirectory(trainingDir())
                    ? "its training has not finished (continue it with 'captioner train --resume')"
                    : "no " + CONFIG;
            throw new CaptionerException(dir + ": not a trained model: " + why);
        }
        return ModelConfig.load(dir);
    }

    /**
     * @param config the model's configuration
     * @return its vocabulary, checked against the configuration and for the caption markers
     */
    public Vocabulary vocabulary(ModelConfig config) {
        Path file = vocabularyFile();
        Vocabulary vocab = Vocabulary.load(file);
        if (vocab.size() != config.vocabularySize()) {
            throw new CaptionerException(file + ": has " + vocab.size() + " entries, but field 'vocabulary_size' of "
                    + CONFIG + " says " + config.vocabularySize());
        }
        for (String marker : List.of(Cleaning.START, Cleaning.END)) {
            if (vocab.index(marker) < 1 || vocab.hasUnk() && vocab.index(marker) == vocab.index(Vocabulary.UNK)) {
                throw new CaptionerException(file + ": field 'words' lacks the marker '" + marker
                        + "' that every caption starts or ends with; not a caption model's vocabulary");
            }
        }
        return vocab;
    }

    /**
     * Loads the model's parameters into a network of its configuration.
     *
     * @param net the network, initialised
     * @param manager owns the loaded arrays
     */
    public void loadParameters(CaptionNet net, NDManager manager) {
        if (!Files.isRegularFile(paramsFile())) {
            throw new CaptionerException(paramsFile() + ": no such file; the model directory is incomplete");
        }
        loadParameters(net, paramsFile(), manager);
    }

    /**
     * Writes a whole model directory at once: parameters, vocabulary, and the configuration
     * last.
     *
     * @param net the network
     * @param vocabulary its vocabulary
     */
    public void write(CaptionNet net, Vocabulary vocabulary) {
        if (vocabulary.size() != net.config().vocabularySize()) {
            throw new IllegalArgumentException("vocabulary of " + vocabulary.size() + " for a model of "
                    + net.config().vocabularySize());
        }
        saveParameters(net, paramsFile());
        vocabulary.save(vocabularyFile());
        net.config().save(dir);
    }

    /** @param history every epoch so far, written atomically to {@code history.json} */
    public void writeHistory(List<EpochRecord> history) {
        try {
            AtomicFiles.write(historyFile(), MAPPER.writeValueAsBytes(history));
        } catch (IOException e) {
            throw new CaptionerException(historyFile() + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** @return the epochs of the finished run */
    public List<EpochRecord> history() {
        try {
            return List.of(MAPPER.readValue(historyFile().toFile(), EpochRecord[].class));
        } catch (IOException e) {
            throw new CaptionerException(historyFile() + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Copies an encoder's files into {@code encoder/}.
     *
     * @param files the files that make up the encoder
     * @throws IOException if one cannot be copied
     */
    public void bundleEncoder(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        Files.createDirectories(encoderDir());
        for (Path f : files) {
            AtomicFiles.write(encoderDir().resolve(f.getFileName().toString()), Files.readAllBytes(f));
        }
    }

    /**
     * Saves a network's parameters atomically.
     *
     * @param net a network
     * @param file where to save them
     */
    public static void saveParameters(CaptionNet net, Path file) {
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw));
            net.saveParameters(out);
            out.flush();
        });
    }

    /** Writes parameters into a checkpoint folder that is being assembled (synced by its commit). */
    public static void writeParameters(ai.djl.nn.Block net, Path file) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
            net.saveParameters(out);
        }
    }

    /**
     * @param net a network of the same configuration
     * @param file parameters saved by {@link #saveParameters}
     * @param manager owns the loaded arrays
     */
    public static void loadParameters(ai.djl.nn.Block net, Path file, NDManager manager) {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            net.loadParameters(manager, in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            // DJL throws plain runtime exceptions on truncated files and mismatched shapes.
            throw new CaptionerException(file + ": cannot load model parameters (truncated, or written for another "
                    + "configuration): " + e.getMessage(), e);
        }
    }
}
