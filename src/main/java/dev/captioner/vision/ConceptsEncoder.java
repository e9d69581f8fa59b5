package dev.captioner.vision;

import dev.captioner.image.Preprocessing;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.captioner.util.CaptionerException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained concepts encoder (trained by {@code captioner encoder train}): a small CNN whose penultimate layer
 * is the feature. Loaded from the directory {@code captioner encoder train} writes.
 */
public final class ConceptsEncoder extends NetworkEncoder {

    /** The name in the encoder registry and on the command line. */
    public static final String NAME = "concepts";

    /** File name of the parameters inside an encoder directory. */
    public static final String PARAMS = "concepts.params";

    private final ConceptsConfig config;
    private final ConceptsNet net;

    private ConceptsEncoder(NDManager manager, String sha256, ConceptsConfig config, ConceptsNet net) {
        super(manager, sha256, config.imageSize());
        this.config = config;
        this.net = net;
    }

    /**
     * @param dir a directory written by {@code captioner encoder train} (or its params file)
     * @return the encoder
     */
    public static ConceptsEncoder load(Path dir) {
        return load(dir, null);
    }

    /**
     * @param dir the directory {@code captioner encoder train} wrote (or its params file)
     * @param sha256 the SHA-256 its parameters must have, checked before they are loaded; null
     *     for no check
     * @return the encoder
     */
    public static ConceptsEncoder load(Path dir, String sha256) {
        if (Files.isRegularFile(dir)) {
            dir = dir.toAbsolutePath().getParent();
        }
        Path params = dir.resolve(PARAMS);
        if (!Files.isRegularFile(params)) {
            throw new CaptionerException(dir + ": not a concepts encoder (no " + PARAMS + "; make one with "
                    + "'captioner encoder train')");
        }
        String actual = Encoders.verified(params, sha256);
        ConceptsConfig config = ConceptsConfig.load(dir);
        NDManager manager = NDManager.newBaseManager();
        try {
            ConceptsNet net = new ConceptsNet(config);
            net.full.initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.imageSize(), config.imageSize()));
            try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
                net.full.loadParameters(manager, new DataInputStream(in));
            }
            // Inference only: no autograd graph for these weights.
            for (Pair<String, Parameter> p : net.full.getParameters()) {
                p.getValue().getArray().setRequiresGradient(false);
            }
            return new ConceptsEncoder(manager, actual, config, net);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            manager.close();
            if (e instanceof CaptionerException ce) {
                throw ce;
            }
            throw new CaptionerException(params + ": cannot load the concepts encoder: " + e.getMessage(), e);
        }
    }

    /**
     * @param weights the encoder's directory (or its parameters file)
     * @return its files, which travel with the models trained on its features: it is small
     */
    public static java.util.List<Path> files(Path weights) {
        if (weights == null) {
            return java.util.List.of();
        }
        Path dir = Files.isRegularFile(weights) ? weights.toAbsolutePath().getParent() : weights;
        return java.util.stream.Stream.of(dir.resolve(PARAMS), dir.resolve(ConceptsConfig.FILE))
                .filter(Files::isRegularFile).toList();
    }

    @Override
    protected NDArray forward(NDArray x) {
        ParameterStore ps = new ParameterStore(x.getManager(), false);
        if (grid() != null) {
            // The last convolutional block's output, before the dense layer flattens it away.
            NDList out = new NDList(x);
            for (int i = 0; i < ConceptsNet.TRUNK_BLOCKS; i++) {
                out = net.body.getChildren().get(i).getValue().forward(ps, out, false);
            }
            return out.singletonOrThrow();
        }
        return net.body.forward(ps, new NDList(x), false).singletonOrThrow();
    }

    /**
     * @param batch {@code [n, 3, S, S]} preprocessed input, flattened
     * @param n batch size
     * @return {@code [n, labels]} probabilities of each concept
     */
    public float[][] concepts(float[] batch, int n) {
        int s = imageSize();
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = ChannelsLast.of(scope.create(batch, new Shape(n, 3, s, s)));
            NDArray logits = net.full.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
            float[] flat = logits.getNDArrayInternal().sigmoid().toFloatArray();
            int k = config.labels().size();
            float[][] out = new float[n][k];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * k, out[i], 0, k);
            }
            return out;
        }
    }

    /** @return the encoder's settings and labels */
    public ConceptsConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected int pooledDim() {
        return config.featureDim();
    }

    @Override
    protected GridShape gridShape() {
        int side = config.imageSize() >> config.channels().size();
        return new GridShape(side, side, config.channels().get(config.channels().size() - 1));
    }

    @Override
    public Preprocessing preprocessing() {
        return Preprocessing.UNIT;
    }
}
