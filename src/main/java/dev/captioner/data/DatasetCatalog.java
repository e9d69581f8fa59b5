package dev.captioner.data;

import dev.captioner.util.RemoteFile;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The datasets {@code captioner dataset download NAME} knows: where each is published, what
 * checks it, and how it is laid out once downloaded. Archives are kept as they are and read in
 * place; only the small Karpathy split files are unpacked.
 */
public final class DatasetCatalog {

    /** Downloads over this size need an explicit confirmation. */
    public static final long CONFIRM_ABOVE_BYTES = 5L << 30;

    /**
     * A dataset captioner can fetch, or (with {@code manual}) one it can only explain how to get.
     *
     * @param name what to call it on the command line
     * @param description one line: what it is
     * @param files the archives to fetch, in order
     * @param unpack names of entries to unpack from the archives (the Karpathy split files), or none
     * @param manual where and how to get a dataset that cannot be fetched automatically, or null
     */
    public record Entry(String name, String description, List<RemoteFile> files, List<String> unpack, String manual) {

        /** Copies the lists. */
        public Entry {
            files = List.copyOf(files);
            unpack = List.copyOf(unpack);
        }

        /** @return the total size of its archives, or -1 if any is unknown */
        public long size() {
            long total = 0;
            for (RemoteFile f : files) {
                if (f.size() < 0) {
                    return -1;
                }
                total += f.size();
            }
            return total;
        }

        /**
         * @param base a mirror's base address
         * @return the same dataset fetched from the mirror only (checksums still apply)
         */
        public Entry fromMirror(String base) {
            return new Entry(name, description, files.stream().map(f -> f.fromMirror(base)).toList(), unpack, manual);
        }
    }

    private static final String FLICKR8K_BASE = "https://github.com/jbrownlee/Datasets/releases/download/Flickr8k/";
    private static final String COCO_IMAGES = "http://images.cocodataset.org/zips/";
    private static final String COCO_ANNOTATIONS = "http://images.cocodataset.org/annotations/";

    /**
     * Flickr8k from the GitHub release most tutorials use (the original Illinois addresses are
     * dead since 2021); MD5s as published by mlverse/torchvision's dataset-flickr.R and
     * prabhuomkar/pytorch-cpp's fetch_flickr8k.cmake.
     */
    static final Entry FLICKR8K = new Entry("flickr8k",
            "Flickr8k: 8,091 photos with 5 captions each and the official 6000/1000/1000 split (about 1.1 GB)",
            List.of(new RemoteFile("Flickr8k_Dataset.zip", List.of(FLICKR8K_BASE + "Flickr8k_Dataset.zip"),
                            "f18a1e2920de5bd84dae7cf08ec78978", null, -1),
                    new RemoteFile("Flickr8k_text.zip", List.of(FLICKR8K_BASE + "Flickr8k_text.zip"),
                            "bf6c1abcb8e4a833b7f922104de18627", null, -1)),
            List.of(), null);

    /** Karpathy's split files; no checksum is published, so the first download's is recorded. */
    static final Entry KARPATHY = new Entry("karpathy",
            "Karpathy's splits of Flickr8k, Flickr30k and COCO (dataset_*.json, captions and splits only; about 40 MB)",
            List.of(new RemoteFile("caption_datasets.zip", List.of(
                    "https://cs.stanford.edu/people/karpathy/deepimagesent/caption_datasets.zip",
                    "https://huggingface.co/datasets/gpantaz/karpathy_split/resolve/main/caption_datasets.zip"),
                    null, null, -1)),
            List.of("dataset_flickr8k.json", "dataset_flickr30k.json", "dataset_coco.json"), null);

    /** COCO 2014 from the COCO site; MD5s as used by LAVIS and torchvision-style download scripts. */
    static final Entry COCO2014 = new Entry("coco2014",
            "MS COCO 2014: 82,783 train and 40,504 val images with 5 captions each",
            List.of(new RemoteFile("annotations_trainval2014.zip", List.of(COCO_ANNOTATIONS + "annotations_trainval2014.zip"),
                            "0a379cfc70b0e71301e0f377548639bd", null, 252_872_794L),
                    new RemoteFile("train2014.zip", List.of(COCO_IMAGES + "train2014.zip"),
                            "0da8c0bd3d6becc4dcb32757491aca88", null, 13_510_573_713L),
                    new RemoteFile("val2014.zip", List.of(COCO_IMAGES + "val2014.zip"),
                            "a3d79f5ed8d289b7a7554ce06a5782b3", null, 6_645_013_297L)),
            List.of(), null);

    /** Flickr30k is given out through a request form: captioner says where and how to lay it out. */
    static final Entry FLICKR30K = new Entry("flickr30k",
            "Flickr30k: 31,783 photos with 5 captions each (given out through a request form)",
            List.of(), List.of(),
            "Flickr30k cannot be downloaded automatically: its images are given out through the request form at "
                    + "https://shannon.cs.illinois.edu/DenotationGraph/ (or taken from Kaggle's 'flickr30k' copy). "
                    + "Put flickr30k_images/ (the photos) and results_20130124.token or Kaggle's results.csv in one "
                    + "folder, e.g. %s, and pass it as --data; add dataset_flickr30k.json from "
                    + "'captioner dataset download karpathy' for the standard split");

    private static final List<Entry> BUILTIN = List.of(FLICKR8K, KARPATHY, COCO2014, FLICKR30K);

    private DatasetCatalog() {}

    /** @return every dataset captioner knows */
    public static List<Entry> all() {
        return BUILTIN;
    }

    /**
     * @param name a dataset's name, any case
     * @return its entry, if captioner knows it
     */
    public static Optional<Entry> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return BUILTIN.stream().filter(e -> e.name().equals(n)).findFirst();
    }
}
