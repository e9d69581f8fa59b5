package dev.captioner;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.captioner.image.RgbImage;
import java.nio.file.Path;

/**
 * A DJL {@link ai.djl.translate.Translator} from {@link Image} to its caption. The image is
 * encoded in {@code processInput} (the model's own encoder), the features pass through the
 * model's identity block, and {@code processOutput} decodes them. The model directory is the
 * DJL model's path. Build it with {@link CaptionTranslatorFactory}.
 */
public final class CaptionTranslator implements NoBatchifyTranslator<Image, String> {

    private final Captioner.Spec options;
    private Captioner captioner;

    /** @param options beam and weights */
    public CaptionTranslator(Captioner.Spec options) {
        this.options = options;
    }

    @Override
    public void prepare(TranslatorContext ctx) {
        Path dir = ctx.getModel().getModelPath();
        captioner = Captioner.load(dir, options);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        NDArray hwc = input.toNDArray(ctx.getNDManager(), Image.Flag.COLOR);
        RgbImage rgb = new RgbImage(input.getWidth(), input.getHeight(), hwc.toByteArray());
        float[] feature = captioner.encodeInputs(java.util.List.of(captioner.prepare(rgb)))[0];
        return new NDList(ctx.getNDManager().create(feature));
    }

    @Override
    public String processOutput(TranslatorContext ctx, NDList list) {
        float[] feature = list.singletonOrThrow().toFloatArray();
        return captioner.alternativesOfFeatures(new float[][] {feature}, options.beam()).get(0).get(0).text();
    }
}
