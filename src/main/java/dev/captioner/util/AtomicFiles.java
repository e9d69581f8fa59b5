package dev.captioner.util;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes files so that a reader never sees a half-written one: the content goes to a temporary
 * file in the same directory, which is then renamed over the target.
 */
public final class AtomicFiles {

    /** Writes the content of a file, given an output stream. */
    @FunctionalInterface
    public interface Writer {
        /**
         * @param out the stream to write to; closed by the caller
         * @throws IOException on a write error
         */
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code target} atomically.
     *
     * @param target the file to create or replace
     * @param writer what to write
     */
    public static void write(Path target, Writer writer) {
        Path tmp = null;
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            tmp = tempSibling(target);
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(out);
            }
            commit(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Writes bytes to {@code target} atomically.
     *
     * @param target the file to create or replace
     * @param bytes the content
     */
    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /**
     * Writes UTF-8 text to {@code target} atomically.
     *
     * @param target the file to create or replace
     * @param text the content
     */
    public static void writeString(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A fresh name beside {@code target} for its temporary file. Unlike
     * {@link Files#createTempFile}, the file is created later with the usual permissions (the
     * umask's), not owner-only, so outputs are readable like any other file.
     *
     * @param target the final file
     * @return a name in the same directory that no reader takes for the real file
     */
    public static Path tempSibling(Path target) {
        return target.toAbsolutePath().resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    /**
     * Renames a finished temporary file over its target, atomically where the file system can.
     *
     * @param tmp the finished file, in the target's directory
     * @param target the final name
     * @throws IOException if the rename fails
     */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the temporary file has a name no reader takes for the real one
            }
        }
    }
}
