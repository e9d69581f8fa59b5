package dev.captioner.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a model may point. A model directory is a download like any other, and its
 * {@code config.json} could name any file on the machine: an ONNX or TorchScript graph that a
 * native engine then runs, or a file whose reading reveals something. Only files inside the model
 * directory itself or captioner's home ({@link CaptionerHome}) are opened on a model's word alone
 * (symbolic links resolved first); anything else needs the user's say, {@code --weights FILE} or
 * {@code --trust-model-paths}.
 */
public final class ModelPaths {

    private ModelPaths() {
    }

    /**
     * @param file a file that a model's configuration names
     * @param modelDir the model directory
     * @throws CaptionerException naming the file and how to allow it, if it lies elsewhere
     */
    public static void checkInside(Path file, Path modelDir) {
        Path real = real(file);
        if (real.startsWith(real(modelDir)) || real.startsWith(real(CaptionerHome.dir()))) {
            return;
        }
        throw new CaptionerException(modelDir.resolve("config.json") + " names " + file + ", outside the model directory "
                + "and captioner's home; a model file is code, so it is opened only on your word: pass --weights "
                + file + " (or --trust-model-paths) if you trust this model");
    }

    private static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return Files.exists(abs) ? abs.toRealPath() : abs;
        } catch (IOException e) {
            return abs;
        }
    }
}
