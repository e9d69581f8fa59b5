package dev.captioner.data;

import java.util.List;

/**
 * One image of a dataset and its reference captions.
 *
 * @param name the image's name as the caption file gives it (e.g. {@code 1000268201_693b08cb0e.jpg})
 * @param path where the image file is, relative to the dataset root
 * @param split the split it belongs to, or null if no split list names it
 * @param captions the raw captions, in file order
 * @param present whether the image file exists
 */
public record ImageRecord(String name, String path, Split split, List<String> captions, boolean present) {

    /** Copies the caption list so that the record is immutable. */
    public ImageRecord {
        captions = List.copyOf(captions);
    }
}
