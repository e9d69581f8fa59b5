/**
 * Feature stores: the HDF5 file of every image's feature vector or grid ({@link
 * dev.captioner.features.FeatureStore}, {@link dev.captioner.features.FeatureSet}), read whole or
 * row by row on demand ({@link dev.captioner.features.FeatureRows}), and the resumable,
 * multi-threaded extraction that writes it ({@link dev.captioner.features.FeatureExtractor}).
 *
 * <p>May import {@code vision}, {@code data} and {@code util}.
 */
package dev.captioner.features;
