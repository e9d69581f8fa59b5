/**
 * Benchmarks: features, training, decoding and serving rates on the machine, each with its
 * roofline ({@link dev.captioner.bench.Roofline}) and, where there is one, its PyTorch peer run
 * in the same process ({@link dev.captioner.bench.PeerScript}).
 *
 * <p>May import the root package and everything below it; {@code cli} and {@code spark} run it.
 */
package dev.captioner.bench;
