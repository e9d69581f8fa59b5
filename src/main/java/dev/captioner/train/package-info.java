/**
 * Training: one resumable engine and the objectives that plug into it (cross-entropy on the
 * next word, self-critical fine-tuning on a caption metric, the concepts encoder's binary
 * cross-entropy), with the optimizer, the losses, sampling, rewards, batches and the checkpoints
 * that let {@code kill -9} and {@code --resume} give the same run.
 *
 * <p>May import {@code model}, {@code features}, {@code vision}, {@code image}, {@code data} and
 * {@code util}.
 */
package dev.captioner.train;
