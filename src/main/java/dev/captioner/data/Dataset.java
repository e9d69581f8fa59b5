package dev.captioner.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An image-caption dataset in any of the supported layouts: its images, their raw captions and
 * the train/dev/test split. Images stay where they are (a folder or a zip) and are opened on
 * demand. Load one with {@link DatasetLoader#load}.
 */
public final class Dataset implements Closeable {

    private final DataSource source;
    private final String location;
    private final DatasetFormat format;
    private final List<ImageRecord> images;
    private final Map<String, ImageRecord> byName;
    private final Map<Split, List<ImageRecord>> bySplit = new EnumMap<>(Split.class);
    private final int captionLines;
    private final int skippedLines;

    Dataset(DataSource source, String location, DatasetFormat format, List<ImageRecord> images,
            int captionLines, int skippedLines) {
        this.source = source;
        this.location = location;
        this.format = format;
        this.images = List.copyOf(images);
        this.captionLines = captionLines;
        this.skippedLines = skippedLines;
        Map<String, ImageRecord> m = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            bySplit.put(s, new ArrayList<>());
        }
        for (ImageRecord r : this.images) {
            m.put(r.name(), r);
            if (r.split() != null) {
                bySplit.get(r.split()).add(r);
            }
        }
        this.byName = Collections.unmodifiableMap(m);
        bySplit.replaceAll((s, l) -> List.copyOf(l));
    }

    /** @return the layout the dataset was read as */
    public DatasetFormat format() {
        return format;
    }

    /** @return where the dataset was read from, for messages and reports */
    public String location() {
        return location;
    }

    /** @return every image named by the captions, in order of first mention */
    public List<ImageRecord> images() {
        return images;
    }

    /**
     * @param split a split
     * @return the images of that split, in order of first mention
     */
    public List<ImageRecord> images(Split split) {
        return bySplit.get(split);
    }

    /**
     * @param name an image name
     * @return the image, if the captions name it
     */
    public Optional<ImageRecord> image(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @return caption lines (or records) read */
    public int captionLines() {
        return captionLines;
    }

    /** @return malformed lines skipped under {@code --lenient} */
    public int skippedLines() {
        return skippedLines;
    }

    /**
     * Opens an image file.
     *
     * @param image an image of this dataset
     * @return its bytes; the caller closes the stream
     * @throws IOException if the file is missing or unreadable
     */
    public InputStream open(ImageRecord image) throws IOException {
        return source.open(image.path());
    }

    /**
     * @param image an image of this dataset
     * @return where its file is, for messages
     */
    public String describe(ImageRecord image) {
        return source.describe(image.path());
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
