package dev.captioner.util;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes files and folders so that neither a reader nor a crash (even {@code kill -9} or a power
 * cut) ever leaves a half-written one under its final name: the content goes to a temporary name
 * in the same directory, is flushed to the disk ({@code fsync}), and only then renamed over the
 * target; the directory is synced after the rename so the new name itself survives a crash.
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

    /** Fills a fresh folder with files. */
    @FunctionalInterface
    public interface FolderWriter {
        /**
         * @param dir an empty folder to write into; its files need not be written atomically
         * @throws IOException on a write error
         */
        void write(Path dir) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code target} atomically and durably.
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
     * Creates a folder as one unit: {@code writer} fills a temporary sibling folder, every file
     * in it and the folder itself are synced, and the folder is renamed to {@code target}, which
     * must not exist yet. A crash at any point leaves either no {@code target} or a complete one.
     *
     * @param target the folder to create
     * @param writer what to put in it
     */
    public static void writeFolder(Path target, FolderWriter writer) {
        Path tmp = null;
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            tmp = tempSibling(target);
            Files.createDirectory(tmp);
            writer.write(tmp);
            List<Path> files;
            try (Stream<Path> s = Files.walk(tmp)) {
                files = s.filter(Files::isRegularFile).toList();
            }
            for (Path f : files) {
                sync(f);
            }
            syncDirectory(tmp);
            // The target does not exist, so the rename is atomic on every POSIX file system.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            syncDirectory(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null && Files.exists(tmp)) {
                try {
                    FileTrees.delete(tmp);
                } catch (CaptionerException ignored) {
                    // a temporary name, never taken for the real folder
                }
            }
        }
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
     * Removes what interrupted writes of {@code target} left behind: only files named as
     * {@link #tempSibling} names them for this very target ({@code .NAME.<uuid>.tmp}), never
     * anything else in the folder. Call it where no other process writes the same target.
     *
     * @param target the final file
     * @return how many were removed
     */
    public static int removeStaleTemporaries(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        java.util.regex.Pattern own = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(
                "." + target.getFileName() + ".") + "[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\\.tmp");
        int removed = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> own.matcher(p.getFileName().toString()).matches()).toList()) {
                FileTrees.delete(p);
                removed++;
            }
        } catch (IOException e) {
            throw new CaptionerException(dir + ": cannot list: " + e.getMessage(), e);
        }
        return removed;
    }

    /**
     * @param name a file name
     * @return whether it is one of {@link #tempSibling}'s temporary names (left behind by a crash)
     */
    public static boolean isTemporary(String name) {
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    /**
     * Makes a finished temporary file durable and renames it over its target, atomically where
     * the file system can, then syncs the directory so that the rename is durable too.
     *
     * @param tmp the finished file, in the target's directory
     * @param target the final name
     * @throws IOException if the sync or the rename fails
     */
    public static void commit(Path tmp, Path target) throws IOException {
        sync(tmp);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /**
     * Flushes a file's content to the disk.
     *
     * @param file a regular file
     * @throws IOException if the sync fails
     */
    public static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Flushes a directory's entries (names created, renamed or removed) to the disk. Where the
     * platform cannot open a directory (Windows), this is skipped: its renames are durable once
     * they return.
     *
     * @param dir a directory
     * @throws IOException if the sync itself fails
     */
    public static void syncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (ch) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory (EINVAL); their metadata is synchronous.
            if (!String.valueOf(e.getMessage()).contains("Invalid argument")) {
                throw e;
            }
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
