/**
 * What every stage needs and none owns: files written atomically ({@link
 * dev.captioner.util.AtomicFiles}), downloads with resume and checksums ({@link
 * dev.captioner.util.Downloader}), progress bars and log lines ({@link
 * dev.captioner.util.Progress}), the engine's threads ({@link dev.captioner.util.EngineThreads},
 * the one place that sets them) and its per-thread settings ({@link dev.captioner.util.Torch}),
 * the glibc allocator's tuning, and how command lines report errors ({@link
 * dev.captioner.util.CommandLineErrors}, {@link dev.captioner.util.CaptionerException}).
 *
 * <p>The bottom layer: imports no other captioner package.
 */
package dev.captioner.util;
