package dev.captioner.data;

import java.util.Map;

/** Reads one dataset layout. */
interface FormatReader {

    /** What a reader found: the captions, and the split if the layout defines one. */
    record Result(CaptionTable table, Map<String, Split> splits) {}

    /**
     * @param source the dataset root
     * @param hint a file the user named (e.g. one of several Karpathy JSON files), or null
     * @return true if this layout's caption file is there
     */
    boolean detect(DataSource source, String hint);

    /**
     * Reads the captions and any split the layout defines ({@code splits} null if none).
     *
     * @param source the dataset root
     * @param hint a file the user named, or null
     * @param options parsing options
     * @return the captions and split
     */
    Result read(DataSource source, String hint, LoadSpec options);

    /** @return the file names this reader looks for, for the "no dataset found" message */
    String expects();
}
