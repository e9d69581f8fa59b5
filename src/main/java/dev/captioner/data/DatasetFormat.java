package dev.captioner.data;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The dataset layouts captioner reads. */
public enum DatasetFormat {
    /** Official Flickr8k: {@code Flickr8k_text/} and {@code Flicker8k_Dataset/}, or their zips. */
    FLICKR8K("flickr8k"),
    /** Kaggle's Flickr8k: {@code captions.txt} (CSV) beside {@code Images/}. */
    FLICKR8K_KAGGLE("flickr8k-kaggle"),
    /** Flickr30k: {@code results_20130124.token} or Kaggle's {@code results.csv}. */
    FLICKR30K("flickr30k"),
    /** Karpathy's {@code dataset_*.json} split files. */
    KARPATHY("karpathy"),
    /** MS-COCO caption annotations. */
    COCO("coco");

    private final String id;

    DatasetFormat(String id) {
        this.id = id;
    }

    /** @return the name used on the command line */
    public String id() {
        return id;
    }

    /**
     * @param id a name as given to {@code --format}
     * @return the format
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DatasetFormat parse(String id) {
        for (DatasetFormat f : values()) {
            if (f.id.equalsIgnoreCase(id.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + id + "' (expected one of "
                + Arrays.stream(values()).map(DatasetFormat::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
