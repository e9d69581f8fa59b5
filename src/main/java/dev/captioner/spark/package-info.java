/**
 * captioner as an Apache Spark application ({@link dev.captioner.spark.SparkCaptioner}): caption
 * and featurise image files wherever Spark reads them, one model per executor JVM, a bad file a
 * row and never a failed task; import feature rows into the HDF5 store.
 *
 * <p>An entry point: may import {@code options}, {@code bench} and everything below them, never
 * {@code cli}.
 */
package dev.captioner.spark;
