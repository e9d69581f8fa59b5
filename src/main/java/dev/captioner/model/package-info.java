/**
 * Caption models: the {@link dev.captioner.model.Architecture} registry, whose entries say what
 * features they read and whether they yield attention maps, the networks behind {@link
 * dev.captioner.model.CaptionNet}, what the user asks ({@link dev.captioner.model.ModelSpec}) and
 * what is saved ({@link dev.captioner.model.ModelConfig}), the model directory on disk ({@link
 * dev.captioner.model.ModelDirectory}), a loaded model for inference ({@link
 * dev.captioner.model.CaptionModel}) with its training history ({@link
 * dev.captioner.model.EpochRecord}). Training itself is {@code train}'s.
 *
 * <p>May import {@code features}, {@code vision}, {@code image}, {@code data} and {@code util}.
 */
package dev.captioner.model;
