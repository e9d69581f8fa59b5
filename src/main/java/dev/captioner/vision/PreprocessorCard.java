package dev.captioner.vision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.captioner.util.CaptionerException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code preprocessor_config.json} (ViTImageProcessor, ViTFeatureExtractor and the like) as an
 * {@link EncoderCard}, so that a pretrained encoder prepares images through the same
 * Pillow-exact resizes as every other encoder: {@code size} {height, width} squashes,
 * {@code shortest_edge} with {@code crop_size} resizes the shorter side then crops the centre;
 * {@code resample} is PIL's code (0 nearest, 2 bilinear, 3 bicubic); {@code rescale_factor},
 * {@code image_mean} and {@code image_std} follow. Every pixel is decoded (no fast decode): its
 * agreement has not been measured for these models.
 */
public final class PreprocessorCard {

    /** The file's name in a pretrained folder. */
    public static final String FILE = "preprocessor_config.json";

    private PreprocessorCard() {}

    /**
     * @param dir a pretrained folder
     * @param name what to call the encoder
     * @param inputName the encoder graph's image input
     * @return the card its preprocessor file describes
     * @throws CaptionerException naming the file and field it cannot follow
     */
    public static EncoderCard read(Path dir, String name, String inputName) {
        return read(dir, name, inputName, new EncoderCard.Outputs("last_hidden_state", null, null, null, null, null, null));
    }

    /**
     * @param dir a pretrained folder
     * @param name what to call the encoder
     * @param inputName the encoder graph's image input
     * @param outputs which outputs are the features
     * @return the card its preprocessor file describes, with those outputs
     * @throws CaptionerException naming the file and field it cannot follow
     */
    public static EncoderCard read(Path dir, String name, String inputName, EncoderCard.Outputs outputs) {
        Path file = dir.resolve(FILE);
        JsonNode p = tree(file);
        if (!p.path("do_resize").asBoolean(true)) {
            throw new CaptionerException(file + ": field 'do_resize' is false; only fixed-size inputs are supported");
        }
        JsonNode size = p.path("size");
        String resize;
        Integer shorter = null;
        int h;
        int w;
        if (size.isInt()) {
            h = size.asInt();
            w = h;
            resize = "squash";
        } else if (size.has("height") && size.has("width")) {
            h = size.path("height").asInt();
            w = size.path("width").asInt();
            resize = "squash";
        } else if (size.has("shortest_edge")) {
            if (!p.path("do_center_crop").asBoolean(false)) {
                throw new CaptionerException(file + ": field 'size' gives only shortest_edge and 'do_center_crop' is "
                        + "off; the input size would vary with the image");
            }
            shorter = size.path("shortest_edge").asInt();
            JsonNode crop = p.path("crop_size");
            h = crop.isInt() ? crop.asInt() : crop.path("height").asInt(-1);
            w = crop.isInt() ? crop.asInt() : crop.path("width").asInt(-1);
            resize = "shorter-side-then-center-crop";
        } else {
            throw new CaptionerException(file + ": field 'size' must be a number, {height, width} or {shortest_edge}");
        }
        if (!resize.equals("shorter-side-then-center-crop") && p.path("do_center_crop").asBoolean(false)) {
            throw new CaptionerException(file + ": field 'do_center_crop' after a fixed-size resize is not supported");
        }
        String interpolation = switch (p.path("resample").asInt(2)) {
            case 0 -> "nearest";
            case 2 -> "bilinear";
            case 3 -> "bicubic";
            default -> throw new CaptionerException(file + ": field 'resample' is " + p.path("resample")
                    + "; supported are PIL's 0 (nearest), 2 (bilinear) and 3 (bicubic)");
        };
        double scale = p.path("do_rescale").asBoolean(true) ? p.path("rescale_factor").asDouble(1 / 255.0) : 1.0;
        boolean normalize = p.path("do_normalize").asBoolean(true);
        List<Double> mean = normalize ? three(file, p, "image_mean") : List.of(0.0, 0.0, 0.0);
        List<Double> std = normalize ? three(file, p, "image_std") : List.of(1.0, 1.0, 1.0);
        try {
            return new EncoderCard(name, new EncoderCard.Input(h, w, inputName), resize, shorter, interpolation, scale,
                    mean, std, outputs, null);
        } catch (IllegalArgumentException e) {
            throw new CaptionerException(file + ": " + e.getMessage());
        }
    }

    private static List<Double> three(Path file, JsonNode p, String field) {
        JsonNode n = p.path(field);
        if (n.isNumber()) {
            return List.of(n.asDouble(), n.asDouble(), n.asDouble());
        }
        if (!n.isArray() || n.size() != 3) {
            throw new CaptionerException(file + ": field '" + field + "' must hold 3 numbers, one per RGB channel");
        }
        return List.of(n.get(0).asDouble(), n.get(1).asDouble(), n.get(2).asDouble());
    }

    /**
     * The card of a pretrained folder's vision encoder used as a feature encoder
     * ({@code --encoder hf:DIR}): the first (CLS) token of {@code last_hidden_state} as the pooled
     * vector, the patch tokens after it as the grid, {@code image_size / patch_size} on a side
     * (from {@code config.json}'s encoder).
     *
     * @param dir a pretrained folder
     * @return its encoder's card
     * @throws CaptionerException naming the file and field it cannot follow
     */
    public static EncoderCard forEncoder(Path dir) {
        Path config = dir.resolve("config.json");
        JsonNode encoder = tree(config).path("encoder");
        int patch = encoder.path("patch_size").asInt(-1);
        if (patch < 1) {
            throw new CaptionerException(config + ": field 'encoder.patch_size' is missing; --encoder hf: takes a "
                    + "ViT-style encoder whose tokens are a CLS token and a grid of patches");
        }
        EncoderCard c = read(dir, dir.toAbsolutePath().normalize().getFileName() + "", null);
        return new EncoderCard(c.name(), c.input(), c.resize(), c.resizeSize(), c.interpolation(), c.scale(), c.mean(),
                c.std(), new EncoderCard.Outputs("last_hidden_state", "last_hidden_state", "tokens", 1,
                        c.input().height() / patch, c.input().width() / patch, "cls"), null);
    }

    /**
     * @param file a JSON file
     * @return its top object
     * @throws CaptionerException naming the file when it is missing or not a JSON object
     */
    public static JsonNode tree(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such file; a pretrained folder holds config.json, "
                    + "preprocessor_config.json, tokenizer.json and onnx/");
        }
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new CaptionerException(file + ": not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new CaptionerException(file + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
