package dev.captioner.pipeline;

import dev.captioner.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Remembers which pipeline stages finished with which inputs: a stage's key is a hash of its
 * settings and of the keys of the stages it reads from, written to {@code .stages/NAME} once the
 * stage's outputs are complete. A re-run skips a stage whose stamp matches its key; a changed
 * setting changes the key of that stage and of everything downstream.
 */
final class StageStamps {

    private final Path dir;

    StageStamps(Path runDir) {
        this.dir = runDir.resolve(".stages");
    }

    /** @return a key for the given parts */
    static String key(Object... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Object p : parts) {
                md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean done(String stage, String key) {
        Path f = dir.resolve(stage);
        try {
            return Files.isRegularFile(f) && Files.readString(f).strip().equals(key);
        } catch (IOException e) {
            return false;
        }
    }

    void mark(String stage, String key) {
        AtomicFiles.writeString(dir.resolve(stage), key + "\n");
    }
}
