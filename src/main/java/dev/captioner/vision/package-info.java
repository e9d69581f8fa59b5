/**
 * Images and the networks that encode them: decoding within pixel and memory limits ({@link
 * dev.captioner.vision.ImageLoader}), resizing exactly as Keras does ({@link
 * dev.captioner.vision.KerasResize}), preprocessing, Keras HDF5 weights, and the encoders behind
 * {@link dev.captioner.vision.ImageEncoder}. {@link dev.captioner.vision.Encoders} is the encoder
 * registry: every caller opens encoders there by name and asks the encoder what it gives
 * ({@link dev.captioner.vision.FeatureKind}, {@link dev.captioner.vision.GridShape}) rather than
 * comparing names.
 *
 * <p>May import {@code data} and {@code util}.
 */
package dev.captioner.vision;
