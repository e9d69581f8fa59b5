package dev.captioner.util;

import java.nio.file.Path;

/**
 * captioner's own folder, for downloaded weights ({@code weights/}) and datasets
 * ({@code datasets/NAME/}): the system property {@code captioner.home}, else the environment
 * variable {@code CAPTIONER_HOME}, else {@code ~/.cache/captioner}.
 */
public final class CaptionerHome {

    private CaptionerHome() {}

    /** @return the folder (it may not exist yet) */
    public static Path dir() {
        String property = System.getProperty("captioner.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("CAPTIONER_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "captioner");
    }

    /** @return where published weights files are cached */
    public static Path weights() {
        return dir().resolve("weights");
    }

    /**
     * @param name a pretrained model's name, e.g. {@code vit-gpt2-image-captioning}
     * @return where {@code captioner weights download NAME} puts its folder
     */
    public static Path model(String name) {
        return dir().resolve("models").resolve(name);
    }

    /**
     * @param name a dataset's name, e.g. {@code flickr8k}
     * @return where {@code captioner dataset download NAME} puts it
     */
    public static Path dataset(String name) {
        return dir().resolve("datasets").resolve(name);
    }
}
