/**
 * The command-line vocabulary that the command line ({@code cli}) and the Spark application
 * ({@code spark}) share: picocli mixins for the options both take ({@link
 * dev.captioner.options.EncoderChoice}, {@link dev.captioner.options.ModelWeights},
 * {@link dev.captioner.options.PixelLimit}, {@link dev.captioner.options.BeamWidth}), each
 * declared once with its default from the constant of the class that owns the value. Values are
 * checked where they are read, with {@link IllegalArgumentException}, which both entry points
 * report as a wrong command line (exit status 2).
 *
 * <p>May import {@code vision}, {@code decode} and what they import; imported only by
 * {@code cli} and {@code spark}.
 */
package dev.captioner.options;
