/**
 * The {@code captioner} command: {@link dev.captioner.cli.Main}, and one class per command or
 * subcommand. Options that the Spark application also takes come from {@code options}.
 *
 * <p>The top layer: may import every other package.
 */
package dev.captioner.cli;
