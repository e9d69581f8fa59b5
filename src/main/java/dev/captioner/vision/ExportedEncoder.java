package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.Preprocessing;
import dev.captioner.image.DecodeScale;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * An image model exported from Python — ONNX on DJL's ONNX Runtime engine, or TorchScript on its
 * PyTorch engine — used as captioner's encoder through its {@link EncoderCard}. Opening it checks
 * the card against the model before any image is read: the input's name and shape (ONNX declares
 * them), and the outputs, by running one blank image and reading what comes out. The pooled
 * output becomes the feature vector; the grid output, in any of the card's layouts, becomes
 * captioner's location-major, channels-last grid.
 */
public final class ExportedEncoder implements ImageEncoder {

    /** The two exported formats, each with its engine. */
    public enum Format {
        /** ONNX, run by ONNX Runtime. */
        ONNX("onnx", "OnnxRuntime"),
        /** TorchScript, run by PyTorch. */
        TORCHSCRIPT("torchscript", "PyTorch");

        private final String scheme;
        private final String engine;

        Format(String scheme, String engine) {
            this.scheme = scheme;
            this.engine = engine;
        }

        /** @return the prefix {@code --encoder} takes, e.g. {@code onnx} */
        public String scheme() {
            return scheme;
        }
    }

    private final Format format;
    private final Path file;
    private final EncoderCard card;
    private final String sha256;
    private final ZooModel<NDList, NDList> model;
    private final int pooledDim;
    private final GridShape gridShape;
    private boolean gridded;

    private ExportedEncoder(Format format, Path file, EncoderCard card, String sha256, ZooModel<NDList, NDList> model,
            int pooledDim, GridShape gridShape) {
        this.format = format;
        this.file = file;
        this.card = card;
        this.sha256 = sha256;
        this.model = model;
        this.pooledDim = pooledDim;
        this.gridShape = gridShape;
    }

    /**
     * Opens an exported model with its card and checks that they agree.
     *
     * @param format ONNX or TorchScript
     * @param file the model file
     * @param card its card
     * @return the encoder, giving pooled vectors
     * @throws CaptionerException naming the file (or the card's field) when it is missing, is not
     *     a model of that format, or disagrees with the card
     */
    public static ExportedEncoder open(Format format, Path file, EncoderCard card) {
        return open(format, file, card, null);
    }

    /**
     * Opens an exported model that must have a known SHA-256, checked before the engine sees it.
     *
     * @param format ONNX or TorchScript
     * @param file the model file
     * @param card its card
     * @param sha256 the SHA-256 the file must have, or null for no check
     * @return the encoder, giving pooled vectors
     */
    public static ExportedEncoder open(Format format, Path file, EncoderCard card, String sha256) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such " + format.scheme() + " model file");
        }
        String sha = Encoders.verified(file, sha256);
        checkMagic(format, file);
        ZooModel<NDList, NDList> model = load(format, file);
        try {
            checkDeclaredInput(file, card, model);
            Probe probe = probe(format, file, card, model);
            return new ExportedEncoder(format, file.toAbsolutePath().normalize(), card, sha, model, probe.pooledDim(),
                    probe.grid());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Refuses a file that cannot be the format before a native library parses it. */
    private static void checkMagic(Format format, Path file) {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n == 0) {
                throw new CaptionerException(file + ": empty file, not a " + format.scheme() + " model");
            }
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read: " + e.getMessage(), e);
        }
        // TorchScript files are zip archives; ONNX files are protocol buffers starting with field 1 (ir_version).
        boolean zip = head[0] == 'P' && head[1] == 'K';
        if (format == Format.TORCHSCRIPT && !zip) {
            throw new CaptionerException(file + ": not a TorchScript file (no zip archive; save it with torch.jit.save)");
        }
        if (format == Format.ONNX && (zip || head[0] != 0x08)) {
            throw new CaptionerException(file + ": not an ONNX model (export it with torch.onnx.export)");
        }
    }

    private static ZooModel<NDList, NDList> load(Format format, Path file) {
        Criteria.Builder<NDList, NDList> b = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(file.toAbsolutePath()).optEngine(format.engine).optTranslator(new NoopTranslator());
        if (format == Format.ONNX) {
            // The process's share of the cores for each network call, as PyTorch gets it.
            b.optOption("intraOpNumThreads", String.valueOf(Math.max(1, EngineThreads.current())))
                    .optOption("interOpNumThreads", "1");
        }
        try {
            return b.build().loadModel();
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new CaptionerException(file + ": cannot load the " + format.scheme() + " model: " + why, e);
        }
    }

    /** ONNX declares its inputs: their name and shape must fit the card. */
    private static void checkDeclaredInput(Path file, EncoderCard card, ZooModel<NDList, NDList> model) {
        PairList<String, Shape> inputs = model.describeInput();
        if (inputs == null || inputs.isEmpty()) {
            return;
        }
        String wanted = card.input().name();
        int index = wanted == null ? 0 : inputs.keys().indexOf(wanted);
        if (wanted == null && inputs.size() > 1) {
            throw new CaptionerException(file + ": the model has " + inputs.size() + " inputs " + inputs.keys()
                    + "; the card's field 'input.name' must say which is the image");
        }
        if (index < 0) {
            throw new CaptionerException(file + ": the card's field 'input.name' is '" + wanted + "', but the model's inputs "
                    + "are " + inputs.keys());
        }
        Shape declared = inputs.get(index).getValue();
        if (declared == null) {
            return; // the engine does not say; the probe's run checks the shape
        }
        long[] shape = declared.getShape();
        long[] expected = {-1, 3, card.input().height(), card.input().width()};
        if (shape.length != 4) {
            throw new CaptionerException(file + ": the model's input " + inputs.get(index).getKey() + " has shape "
                    + Arrays.toString(shape) + ", not [N, 3, H, W]");
        }
        String[] fields = {null, "input (channels)", "input.height", "input.width"};
        for (int d = 1; d < 4; d++) {
            if (shape[d] > 0 && shape[d] != expected[d]) {
                throw new CaptionerException(file + ": the card's field '" + fields[d] + "' says " + expected[d]
                        + ", but the model's input is " + Arrays.toString(shape));
            }
        }
    }

    /** What one blank image's outputs showed. */
    private record Probe(int pooledDim, GridShape grid) {}

    /** Runs a blank image and checks the outputs the card names against what comes out. */
    private static Probe probe(Format format, Path file, EncoderCard card, ZooModel<NDList, NDList> model) {
        EncoderCard.Input in = card.input();
        try (NDManager m = model.getNDManager().newSubManager(); Predictor<NDList, NDList> p = model.newPredictor()) {
            NDArray x = m.zeros(new Shape(1, 3, in.height(), in.width()), DataType.FLOAT32);
            if (in.name() != null) {
                x.setName(in.name());
            }
            NDList out = p.predict(new NDList(x));
            NDArray pooled = output(file, out, card.outputs().pooled(), "outputs.pooled");
            long[] ps = pooled.getShape().getShape();
            boolean tokens = card.outputs().pooling() != null;
            if (tokens ? ps.length != 3 || ps[0] != 1 : ps.length < 2 || ps[0] != 1) {
                throw new CaptionerException(file + ": the card's field 'outputs.pooled' names an output of shape "
                        + Arrays.toString(ps) + ", not " + (tokens ? "[N, T, D] (outputs.pooling is set)" : "[N, D]"));
            }
            int pooledDim = (int) (tokens ? ps[2] : pooled.getShape().size() / ps[0]);
            GridShape grid = null;
            if (card.hasGrid()) {
                NDArray g = output(file, out, card.outputs().grid(), "outputs.grid");
                grid = gridShape(file, card.outputs(), g.getShape().getShape());
            }
            return new Probe(pooledDim, grid);
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof CaptionerException ce) {
                throw ce;
            }
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new CaptionerException(file + ": the " + format.scheme() + " model does not run on a "
                    + in.width() + "x" + in.height() + " image as the card's field 'input' says: " + why, e);
        }
    }

    /** The output a card names: by ONNX name, or by TorchScript tuple index. */
    private static NDArray output(Path file, NDList out, String id, String field) {
        for (NDArray a : out) {
            if (id.equals(a.getName())) {
                return a;
            }
        }
        if (id.matches("\\d+")) {
            int i = Integer.parseInt(id);
            if (i < out.size()) {
                return out.get(i);
            }
        }
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < out.size(); i++) {
            names.append(i == 0 ? "" : ", ").append(out.get(i).getName() != null ? out.get(i).getName() : String.valueOf(i));
        }
        throw new CaptionerException(file + ": the card's field '" + field + "' names output '" + id
                + "', but the model's outputs are " + names);
    }

    private static GridShape gridShape(Path file, EncoderCard.Outputs o, long[] s) {
        String layout = o.gridLayout();
        if (layout.equals("tokens")) {
            int drop = o.dropLeadingTokens() == null ? 0 : o.dropLeadingTokens();
            if (s.length != 3 || s[1] - drop != (long) o.gridHeight() * o.gridWidth()) {
                throw new CaptionerException(file + ": the card's fields 'outputs.grid_height' x 'grid_width' ("
                        + o.gridHeight() + "x" + o.gridWidth() + ") after 'drop_leading_tokens' (" + drop + ") do not fit "
                        + "the grid output of shape " + Arrays.toString(s) + " ([N, T, D])");
            }
            return new GridShape(o.gridHeight(), o.gridWidth(), (int) s[2]);
        }
        if (s.length != 4) {
            throw new CaptionerException(file + ": the card's field 'outputs.grid_layout' says " + layout
                    + ", but the grid output has shape " + Arrays.toString(s));
        }
        boolean nchw = layout.equals("nchw");
        GridShape g = nchw ? new GridShape((int) s[2], (int) s[3], (int) s[1]) : new GridShape((int) s[1], (int) s[2], (int) s[3]);
        if (o.gridHeight() != null && o.gridHeight() != g.height() || o.gridWidth() != null && o.gridWidth() != g.width()) {
            throw new CaptionerException(file + ": the card's fields 'outputs.grid_height' x 'grid_width' say "
                    + o.gridHeight() + "x" + o.gridWidth() + ", but the model's grid is " + g.height() + "x" + g.width());
        }
        return g;
    }

    @Override
    public ImageEncoder gridded() {
        if (gridShape == null) {
            throw new CaptionerException(file + ": the card names no grid output ('outputs.grid'), so this encoder gives "
                    + "pooled vectors only");
        }
        gridded = true;
        return this;
    }

    @Override
    public String name() {
        return format.scheme() + ":" + file;
    }

    /** @return the card */
    @Override
    public EncoderCard card() {
        return card;
    }

    @Override
    public int featureDim() {
        return gridded ? gridShape.size() : pooledDim;
    }

    @Override
    public GridShape grid() {
        return gridded ? gridShape : null;
    }

    @Override
    public int imageSize() {
        return card.input().height();
    }

    @Override
    public Preprocessing preprocessing() {
        return null;
    }

    @Override
    public DecodeScale decodeScale() {
        return card.decodeScale();
    }

    @Override
    public float[] prepare(RgbImage image) {
        return card.prepare(image);
    }

    @Override
    public String weightsSha256() {
        return sha256;
    }

    @Override
    public Path weightsLocation() {
        return file;
    }

    @Override
    public float[][] encode(float[] batch, int n) {
        EncoderCard.Input in = card.input();
        int per = 3 * in.height() * in.width();
        if (batch.length != n * per) {
            throw new IllegalArgumentException("batch of " + batch.length + " values for " + n + " images of " + per);
        }
        try (NDManager m = model.getNDManager().newSubManager(); Predictor<NDList, NDList> p = model.newPredictor()) {
            NDArray x = m.create(batch, new Shape(n, 3, in.height(), in.width()));
            if (in.name() != null) {
                x.setName(in.name());
            }
            NDList out = p.predict(new NDList(x));
            return gridded ? grids(output(file, out, card.outputs().grid(), "outputs.grid"), n)
                    : pooled(output(file, out, card.outputs().pooled(), "outputs.pooled"), n);
        } catch (TranslateException e) {
            throw new CaptionerException(file + ": the model failed: " + e.getMessage(), e);
        }
    }

    private float[][] pooled(NDArray a, int n) {
        float[] flat = a.toType(DataType.FLOAT32, false).toFloatArray();
        float[][] out = new float[n][];
        String pooling = card.outputs().pooling();
        int tokens = pooling == null ? 1 : (int) a.getShape().get(1);
        for (int i = 0; i < n; i++) {
            int base = i * tokens * pooledDim;
            if (!"mean".equals(pooling)) {
                // [N, D], or the first (CLS) token of [N, T, D]
                out[i] = Arrays.copyOfRange(flat, base, base + pooledDim);
                continue;
            }
            double[] sum = new double[pooledDim];
            for (int t = 0; t < tokens; t++) {
                for (int d = 0; d < pooledDim; d++) {
                    sum[d] += flat[base + t * pooledDim + d];
                }
            }
            out[i] = new float[pooledDim];
            for (int d = 0; d < pooledDim; d++) {
                out[i][d] = (float) (sum[d] / tokens);
            }
        }
        return out;
    }

    /** Rearranges a grid output into location-major, channels-last rows. */
    private float[][] grids(NDArray a, int n) {
        float[] flat = a.toType(DataType.FLOAT32, false).toFloatArray();
        long[] s = a.getShape().getShape();
        int h = gridShape.height();
        int w = gridShape.width();
        int d = gridShape.depth();
        int size = gridShape.size();
        float[][] out = new float[n][size];
        String layout = card.outputs().gridLayout();
        for (int i = 0; i < n; i++) {
            float[] row = out[i];
            switch (layout) {
                case "nchw" -> {
                    int base = i * size;
                    for (int c = 0; c < d; c++) {
                        for (int l = 0; l < h * w; l++) {
                            row[l * d + c] = flat[base + c * h * w + l];
                        }
                    }
                }
                case "nhwc" -> System.arraycopy(flat, i * size, row, 0, size);
                case "tokens" -> {
                    int tokens = (int) s[1];
                    int drop = card.outputs().dropLeadingTokens() == null ? 0 : card.outputs().dropLeadingTokens();
                    System.arraycopy(flat, (i * tokens + drop) * d, row, 0, size);
                }
                default -> throw new IllegalStateException(layout);
            }
        }
        return out;
    }

    @Override
    public int efficientBatch() {
        return 16;
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s)", name(), card);
    }
}
