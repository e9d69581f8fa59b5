/**
 * The HTTP server: {@link dev.captioner.serve.CaptionServer} (the API, the web page, limits and
 * JSON errors), micro-batching of concurrent requests ({@link dev.captioner.serve.MicroBatcher}),
 * and the service a model gives it ({@link dev.captioner.serve.ModelService}).
 *
 * <p>An entry point: may import the root package and everything below it, never {@code cli},
 * {@code spark}, {@code bench} or {@code options}.
 */
package dev.captioner.serve;
