/**
 * Datasets: the readers of every supported layout (Flickr8k, its Kaggle copy, Flickr30k,
 * Karpathy's JSON, COCO) behind {@link dev.captioner.data.DatasetLoader}, which detects the
 * layout and gives a {@link dev.captioner.data.Dataset} of {@link dev.captioner.data.ImageRecord}s
 * with their captions and split; caption cleaning ({@link dev.captioner.data.Cleaning}), the
 * {@link dev.captioner.data.Vocabulary}, random splits, statistics, downloads of the public
 * datasets, and the synthetic shapes dataset of the demo ({@link
 * dev.captioner.data.SyntheticShapes}).
 *
 * <p>May import {@code util} only.
 */
package dev.captioner.data;
