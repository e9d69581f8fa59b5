package dev.captioner.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/**
 * A read-only tree of files that a dataset lives in: a folder, a zip archive read in place, or
 * several of them overlaid. Paths are relative, use {@code /} and never leave the tree.
 */
public interface DataSource extends Closeable {

    /**
     * @param path relative path
     * @return true if a regular file exists at {@code path}
     */
    boolean isFile(String path);

    /**
     * @param path relative path, {@code ""} for the root
     * @return true if a directory exists at {@code path}
     */
    boolean isDirectory(String path);

    /**
     * Names of the regular files directly inside a directory.
     *
     * @param dir relative path of the directory, {@code ""} for the root
     * @return file names (without the directory), empty if the directory does not exist
     */
    Set<String> list(String dir);

    /**
     * Names of the directories directly inside a directory.
     *
     * @param dir relative path of the directory, {@code ""} for the root
     * @return directory names, empty if none
     */
    Set<String> listDirectories(String dir);

    /**
     * Opens a file for reading.
     *
     * @param path relative path of a regular file
     * @return a stream the caller closes
     * @throws IOException if the file is missing or unreadable
     */
    InputStream open(String path) throws IOException;

    /**
     * Says where a file is, for messages: a filesystem path, or {@code archive.zip!entry}.
     *
     * @param path relative path
     * @return a description a user can find the file by
     */
    String describe(String path);

    /**
     * Joins two relative paths.
     *
     * @param dir a directory, possibly {@code ""}
     * @param name a name inside it
     * @return {@code dir/name}, or {@code name} if {@code dir} is empty
     */
    static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }
}
