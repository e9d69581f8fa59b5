/**
 * Pixels in, pixels out: decoding image files within pixel, byte, memory and time limits
 * ({@link dev.captioner.image.ImageLoader}), the JPEG fast path and its gate, EXIF orientation,
 * the decode scale an encoder allows, and the resizes and preprocessing that make a network's
 * input exactly as Keras ({@link dev.captioner.image.KerasResize}) or Pillow
 * ({@link dev.captioner.image.PilResize}) would. Nothing here knows a network.
 *
 * <p>May import {@code data} and {@code util}.
 */
package dev.captioner.image;
