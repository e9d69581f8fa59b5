package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.PilResize;
import dev.captioner.image.DecodeScale;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What an exported image model (ONNX or TorchScript) does not say about itself: how an image
 * becomes its input, and which of its outputs is the pooled vector and which the grid. Read from
 * JSON beside the model ({@code FILE.onnx.json}, {@code FILE.pt.json}) or named with
 * {@code --encoder-card}; recorded in feature files and model directories, so captioning prepares
 * images exactly as the features were made.
 *
 * @param name what to call the encoder (e.g. {@code clip-vit-b32})
 * @param input the network's input
 * @param resize {@code squash} (straight to the input size) or {@code shorter-side-then-center-crop}
 *     (torchvision's {@code Resize(resize_size)} then {@code CenterCrop})
 * @param resizeSize the shorter side before the crop (default: the input's shorter side)
 * @param interpolation {@code nearest}, {@code bilinear} or {@code bicubic}, as Pillow computes them
 * @param scale what each 8-bit sample is multiplied by (e.g. 1/255)
 * @param mean per RGB channel, subtracted after scaling
 * @param std per RGB channel, divided by after subtracting the mean
 * @param outputs which outputs are the features
 * @param fastDecode {@code true} lets large JPEGs be decoded at a reduced scale (DCT scaling, block
 *     means) before the resize, several times faster; absent or false, every pixel is decoded and
 *     the input equals Pillow's and torchvision's. Measured agreement decides: on real photos the
 *     int8 MobileNetV2 of the ONNX Model Zoo changed 22 % of captions at 12 megapixels, so the
 *     exact path is the default
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EncoderCard(
        @JsonProperty("name") String name,
        @JsonProperty("input") Input input,
        @JsonProperty("resize") String resize,
        @JsonProperty("resize_size") Integer resizeSize,
        @JsonProperty("interpolation") String interpolation,
        @JsonProperty("scale") double scale,
        @JsonProperty("mean") List<Double> mean,
        @JsonProperty("std") List<Double> std,
        @JsonProperty("outputs") Outputs outputs,
        @JsonProperty("fast_decode") Boolean fastDecode) {

    /** The resize modes. */
    public static final List<String> RESIZES = List.of("squash", "shorter-side-then-center-crop");
    /** The grid layouts. */
    public static final List<String> LAYOUTS = List.of("nchw", "nhwc", "tokens");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * The network's input.
     *
     * @param height rows
     * @param width columns
     * @param name the ONNX input's name (null: the model's only input; TorchScript has none)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Input(
            @JsonProperty("height") int height,
            @JsonProperty("width") int width,
            @JsonProperty("name") String name) {}

    /**
     * Which outputs are the features: an ONNX output's name or a TorchScript tuple's index
     * (written as a number or its decimal string).
     *
     * @param pooled the pooled vector's output, {@code [N, D]}
     * @param grid the grid's output, or null for an encoder of pooled vectors only
     * @param gridLayout {@code nchw} ({@code [N, C, H, W]}), {@code nhwc}, or {@code tokens}
     *     ({@code [N, T, D]}, the leading tokens dropped, the rest a {@code height × width} grid)
     * @param dropLeadingTokens tokens before the grid (e.g. 1 for a ViT's CLS)
     * @param gridHeight the grid's rows (required for tokens)
     * @param gridWidth the grid's columns (required for tokens)
     * @param pooling null when the pooled output is {@code [N, D]}; {@code cls} or {@code mean}
     *     when it is a transformer's tokens {@code [N, T, D]}: the first token, or the mean of all
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outputs(
            @JsonProperty("pooled") String pooled,
            @JsonProperty("grid") String grid,
            @JsonProperty("grid_layout") String gridLayout,
            @JsonProperty("drop_leading_tokens") Integer dropLeadingTokens,
            @JsonProperty("grid_height") Integer gridHeight,
            @JsonProperty("grid_width") Integer gridWidth,
            @JsonProperty("pooling") String pooling) {}

    /** Checks every field, naming the one at fault. */
    public EncoderCard {
        require(name != null && !name.isBlank(), "name", "is required");
        require(input != null, "input", "is required");
        require(input.height() >= 1 && input.height() <= 4096, "input.height", "must be 1 to 4096");
        require(input.width() >= 1 && input.width() <= 4096, "input.width", "must be 1 to 4096");
        require(resize != null && RESIZES.contains(resize), "resize", "must be one of " + RESIZES);
        require(resizeSize == null || resizeSize >= Math.min(input.height(), input.width()), "resize_size",
                "must be at least the input's shorter side, " + Math.min(input.height(), input.width()));
        require(interpolation != null && List.of("nearest", "bilinear", "bicubic").contains(interpolation),
                "interpolation", "must be nearest, bilinear or bicubic");
        require(scale > 0 && Double.isFinite(scale), "scale", "must be positive (e.g. 0.00392156862745098 for 1/255)");
        require(mean != null && mean.size() == 3, "mean", "must hold 3 numbers, one per RGB channel");
        require(std != null && std.size() == 3 && std.stream().allMatch(s -> s != null && s > 0), "std",
                "must hold 3 positive numbers, one per RGB channel");
        require(outputs != null && outputs.pooled() != null && !outputs.pooled().isBlank(), "outputs.pooled",
                "is required");
        require(outputs.pooling() == null || List.of("cls", "mean").contains(outputs.pooling()), "outputs.pooling",
                "must be cls or mean");
        if (outputs.grid() != null) {
            require(outputs.gridLayout() != null && LAYOUTS.contains(outputs.gridLayout()), "outputs.grid_layout",
                    "must be one of " + LAYOUTS + " when outputs.grid is given");
            boolean tokens = outputs.gridLayout().equals("tokens");
            require(!tokens || outputs.gridHeight() != null && outputs.gridWidth() != null && outputs.gridHeight() > 0
                    && outputs.gridWidth() > 0, "outputs.grid_height", "and grid_width are required for tokens");
            require(outputs.dropLeadingTokens() == null || outputs.dropLeadingTokens() >= 0,
                    "outputs.drop_leading_tokens", "must not be negative");
        }
    }

    private static void require(boolean ok, String field, String what) {
        if (!ok) {
            throw new IllegalArgumentException("field '" + field + "' " + what);
        }
    }

    /** @return the resampling filter */
    @JsonIgnore
    public PilResize.Filter filter() {
        return PilResize.Filter.parse(interpolation);
    }

    /** @return whether the card names a grid output */
    @JsonIgnore
    public boolean hasGrid() {
        return outputs.grid() != null;
    }

    /**
     * Prepares an image as the card says.
     *
     * @param image decoded RGB pixels of any size
     * @return {@code [3, H, W]} network input, flattened
     */
    public float[] prepare(RgbImage image) {
        int h = input.height();
        int w = input.width();
        RgbImage sized = resize.equals("squash") ? PilResize.resize(image, w, h, filter())
                : PilResize.shorterSideThenCenterCrop(image, resizeSize != null ? resizeSize : Math.min(h, w), w, h,
                        filter());
        int plane = h * w;
        float[] out = new float[3 * plane];
        byte[] rgb = sized.rgb();
        for (int c = 0; c < 3; c++) {
            // float arithmetic, as torchvision's ToTensor and Normalize run in float32
            float s = (float) scale;
            float m = mean.get(c).floatValue();
            float d = std.get(c).floatValue();
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = ((rgb[i * 3 + c] & 0xFF) * s - m) / d;
            }
        }
        return out;
    }

    /**
     * @return how much smaller than stored an image may be decoded and still cover what
     *     {@link #prepare} reads: not at all unless the card says {@code "fast_decode": true}
     */
    public DecodeScale decodeScale() {
        if (!Boolean.TRUE.equals(fastDecode)) {
            return DecodeScale.FULL;
        }
        return resize.equals("squash") ? DecodeScale.covering(input.width(), input.height())
                : DecodeScale.shorterSide(resizeSize != null ? resizeSize : Math.min(input.height(), input.width()));
    }

    /** @return the card as compact JSON, as recorded in feature files and models */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param json a card
     * @param where what to name in messages (the file)
     * @return the card
     * @throws CaptionerException naming the file and the field at fault
     */
    public static EncoderCard parse(String json, String where) {
        try {
            return JSON.readValue(json, EncoderCard.class);
        } catch (UnrecognizedPropertyException e) {
            throw new CaptionerException(where + ": field '" + e.getPropertyName() + "' is not part of an encoder card");
        } catch (JsonProcessingException e) {
            Throwable c = e.getCause();
            String why = c instanceof IllegalArgumentException ? c.getMessage() : e.getOriginalMessage();
            throw new CaptionerException(where + ": not a valid encoder card: " + why.lines().findFirst().orElse(why));
        }
    }

    /**
     * @param file a card file
     * @return the card
     */
    public static EncoderCard read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such encoder card (write one beside the model, or pass "
                    + "--encoder-card FILE)");
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * @param model an exported model file
     * @return where its card is expected when none is named: beside it, {@code FILE.json}
     */
    public static Path besideModel(Path model) {
        return model.resolveSibling(model.getFileName() + ".json");
    }

    @Override
    public String toString() {
        return name + " (" + input.width() + "x" + input.height() + ", " + resize.toLowerCase(Locale.ROOT) + ", "
                + interpolation + ")";
    }
}
