package dev.captioner.data;

import dev.captioner.util.CaptionerException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the captions a reader finds, image by image in order of first mention, and applies
 * the rules every format shares: names must stay inside the dataset root, malformed lines fail
 * unless the load is lenient, in which case they are counted.
 */
final class CaptionTable {

    /** Where an image's file is and what its captions say. */
    static final class Entry {
        final String path;
        final List<String> captions = new ArrayList<>(5);

        Entry(String path) {
            this.path = path;
        }
    }

    private final boolean lenient;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private int lines;
    private int skipped;

    CaptionTable(boolean lenient) {
        this.lenient = lenient;
    }

    /**
     * Checks an image name read at {@code where}.
     *
     * @return the normalised name
     * @throws CaptionerException if the name escapes the dataset root (never skipped, even when
     *     lenient: such a file is hostile or broken, not merely untidy)
     */
    static String checkName(String where, String name) {
        String problem = SafePaths.problem(name);
        if (problem != null) {
            throw new CaptionerException(where + ": " + problem);
        }
        return SafePaths.normalize(name);
    }

    /**
     * Adds a caption.
     *
     * @param where file and line or field, for messages
     * @param name the image's name (checked)
     * @param path where the image file is, relative to the root (checked)
     * @param caption the raw caption
     */
    void add(String where, String name, String path, String caption) {
        String n = checkName(where, name);
        Entry e = entries.get(n);
        if (e == null) {
            e = new Entry(checkName(where, path));
            entries.put(n, e);
        }
        e.captions.add(caption);
        lines++;
    }

    /**
     * Reports a malformed line: an error, or when lenient a skipped line.
     *
     * @param where file and line or field
     * @param reason what is wrong with it
     */
    void malformed(String where, String reason) {
        if (!lenient) {
            throw new CaptionerException(where + ": " + reason + " (use --lenient to skip such lines)");
        }
        skipped++;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    int lines() {
        return lines;
    }

    int skipped() {
        return skipped;
    }
}
