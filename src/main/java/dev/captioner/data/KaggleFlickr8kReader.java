package dev.captioner.data;

import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Kaggle's Flickr8k: {@code captions.txt}, an RFC 4180 CSV with header {@code image,caption}
 * (captions with commas are quoted), beside {@code Images/}. No split lists: the split is drawn
 * by {@link RandomSplit} unless {@code --splits} names official lists.
 */
final class KaggleFlickr8kReader implements FormatReader {

    @Override
    public boolean detect(DataSource source, String hint) {
        return source.isFile("captions.txt");
    }

    @Override
    public Result read(DataSource source, String hint, LoadSpec options) {
        String imageDir = Layouts.firstDirectory(source, "Images", "images", "Flicker8k_Dataset", "Flickr8k_Dataset");
        CaptionTable table = new CaptionTable(options.lenient());
        String file = source.describe("captions.txt");
        CSVFormat format = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
        try (Reader in = TextLines.reader(source, "captions.txt");
                CSVParser parser = CSVParser.builder().setReader(in).setFormat(format).get()) {
            long lineAfterPrevious = 0;
            boolean header = true;
            for (CSVRecord r : parser) {
                long line = lineAfterPrevious + 1;
                lineAfterPrevious = parser.getCurrentLineNumber();
                String where = file + ":" + line;
                if (header) {
                    header = false;
                    if (r.size() >= 2 && r.get(0).trim().toLowerCase(Locale.ROOT).equals("image")) {
                        continue;
                    }
                    throw new CaptionerException(where + ": expected the header 'image,caption'");
                }
                if (r.size() != 2) {
                    table.malformed(where, "expected 2 fields (image,caption), found " + r.size()
                            + " (captions containing commas must be quoted)");
                    continue;
                }
                String name = r.get(0).trim();
                String caption = r.get(1).trim();
                if (name.isEmpty() || caption.isEmpty()) {
                    table.malformed(where, name.isEmpty() ? "empty image name" : "empty caption");
                    continue;
                }
                table.add(where, name, DataSource.join(imageDir, name), caption);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new CaptionerException(file + ": malformed CSV: " + e.getMessage(), e);
        }
        return new Result(table, null);
    }

    @Override
    public String expects() {
        return "captions.txt";
    }
}
