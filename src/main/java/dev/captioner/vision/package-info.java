/**
 * The networks that encode images: the encoders behind {@link dev.captioner.vision.ImageEncoder},
 * Keras HDF5 weights, and exported (ONNX, TorchScript) models with their cards.
 * {@link dev.captioner.vision.Encoders} is the encoder registry: every caller opens encoders there
 * by name and asks the encoder what it gives ({@link dev.captioner.vision.FeatureKind},
 * {@link dev.captioner.vision.GridShape}) rather than comparing names. Pixels come from
 * {@code image}.
 *
 * <p>May import {@code image}, {@code data} and {@code util}.
 */
package dev.captioner.vision;
