package dev.captioner.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Whole-folder file operations. */
public final class FileTrees {

    private FileTrees() {}

    /**
     * Deletes a folder and everything in it; nothing happens if it does not exist.
     *
     * @param dir the folder
     * @throws CaptionerException naming the folder if something cannot be deleted
     */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new CaptionerException(dir + ": cannot remove: " + e.getMessage(), e);
        }
    }
}
