/**
 * Caption search: greedy and beam search over any {@link dev.captioner.model.CaptionNet}, batched
 * over images and beams ({@link dev.captioner.decode.CaptionDecoder}); the {@link
 * dev.captioner.decode.Caption}s it returns carry each word's attention map when the model yields
 * them ({@link dev.captioner.decode.WordAttention}).
 *
 * <p>May import {@code model} and the packages below it.
 */
package dev.captioner.decode;
