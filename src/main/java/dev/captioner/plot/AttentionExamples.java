package dev.captioner.plot;

import dev.captioner.data.Dataset;
import dev.captioner.decode.Caption;
import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.features.FeatureSet;
import dev.captioner.model.CaptionModel;
import dev.captioner.vision.GridShape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report's "Where the model looked": attention pictures of a few test images, captioned
 * greedily from their stored grid features.
 */
public final class AttentionExamples {

    /** Folder, under the evaluation folder, that holds the pictures. */
    public static final String DIR = "attention";

    private AttentionExamples() {}

    /**
     * @param model a trained model; one whose captions carry no attention maps gets no pictures
     * @param dataset where the images are
     * @param features the model's grid features
     * @param images the images to draw, e.g. the first few of the test split
     * @param dir folder to write into, one PNG per image
     * @return the files written, in order (empty for a model without attention maps)
     */
    public static List<Path> write(CaptionModel model, Dataset dataset, FeatureSet features, List<String> images, Path dir) {
        List<Path> written = new ArrayList<>();
        GridShape grid = model.attentionGrid();
        if (grid == null || images.isEmpty()) {
            return written;
        }
        Map<String, Integer> index = features.index();
        float[][] rows = new float[images.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = features.rows().row(index.get(images.get(i)));
        }
        List<List<Caption>> captions = new CaptionDecoder(model).decode(rows, DecodeSpec.greedy());
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = 0; i < rows.length; i++) {
            String name = images.get(i);
            BufferedImage image = dataset.image(name).map(r -> Thumbnails.load(dataset, r)).orElse(null);
            if (image == null) {
                continue;
            }
            Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("\\.[A-Za-z]+$", "") + ".png");
            AttentionPicture.write(image, captions.get(i).get(0), grid, file);
            written.add(file);
        }
        return written;
    }
}
