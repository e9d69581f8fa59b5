/**
 * Whole runs: {@code captioner run} ({@link dev.captioner.pipeline.RunPipeline}: stats, features,
 * explore, train, evaluate, report, each stage skipped when up to date) and the offline demo
 * ({@link dev.captioner.pipeline.Demo}).
 *
 * <p>May import the root package ({@link dev.captioner.Captioner}) and everything below it.
 */
package dev.captioner.pipeline;
