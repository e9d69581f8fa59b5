/**
 * captioner's Java API: {@link dev.captioner.Captioner} captions images with a model directory;
 * {@link dev.captioner.CaptionTranslatorFactory} plugs the same into DJL's {@code Criteria}.
 *
 * <p>Sits above {@code plot} and below {@code pipeline}: may import every pipeline stage, never
 * an entry point.
 */
package dev.captioner;
