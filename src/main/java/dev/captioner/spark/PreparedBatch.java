package dev.captioner.spark;

import dev.captioner.util.CommandLineErrors;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * A batch of {@code binaryFile} rows decoded and prepared for a network: the inputs of the files
 * that could be read, and the one-line error of each that could not.
 *
 * @param paths every file's path, in order
 * @param inputs the network inputs of the readable files, in order
 * @param readable for each input, the index of its file in {@code paths}
 * @param errors for each file, its error or null
 */
record PreparedBatch(List<String> paths, List<float[]> inputs, List<Integer> readable, String[] errors) {

    /**
     * @param files rows {@code (path, content, length)} from {@link ImageFiles#read}; a null content
     *     is a file over the byte limit, reported as such
     * @param loader decodes with the job's pixel and byte limits
     * @param prepare the network's input for an image
     * @return the batch
     */
    static PreparedBatch of(List<Row> files, ImageLoader loader, Function<RgbImage, float[]> prepare) {
        return of(files, loader, DecodeScale.FULL, prepare);
    }

    /**
     * @param files rows (path, content)
     * @param loader decodes with the job's pixel and byte limits
     * @param scale how much smaller than stored each image may be decoded
     * @param prepare makes an image the network's input
     * @return the batch's inputs and errors
     */
    static PreparedBatch of(List<Row> files, ImageLoader loader, DecodeScale scale, Function<RgbImage, float[]> prepare) {
        List<String> paths = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        List<Integer> readable = new ArrayList<>();
        String[] errors = new String[files.size()];
        for (int i = 0; i < files.size(); i++) {
            String path = files.get(i).getString(0);
            paths.add(path);
            String tooLarge = ImageFiles.tooLarge(files.get(i), loader.maxBytes());
            if (tooLarge != null) {
                errors[i] = tooLarge;
                continue;
            }
            try {
                inputs.add(loader.decode(files.get(i).getAs(1), path, scale, prepare));
                readable.add(i);
            } catch (RuntimeException e) {
                // One bad file is a row with its reason, never a failed task.
                errors[i] = CommandLineErrors.describe(e);
            }
        }
        return new PreparedBatch(paths, inputs, readable, errors);
    }
}
