package dev.captioner.eval;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.data.Vocabulary;
import dev.captioner.train.CaptionRewards;
import dev.captioner.train.RewardMetric;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewards for self-critical training from a dataset's references. The training reward scores a
 * sampled caption against its image's training references with CIDEr-D (document frequencies
 * from the whole training split's references, computed once, as self-critical.pytorch does with
 * its {@code coco-train-idxs} cache), sentence BLEU-4, or their sum. The end marker is part of
 * both the caption and the references when they are scored, as in self-critical.pytorch (its
 * {@code array_to_str} keeps the final 0): a caption cut off mid-phrase ("a dog runs on the")
 * then lacks the reference's closing n-grams ("grass endseq"), which is what suppresses bad
 * endings. The dev score is the CIDEr-D that {@code evaluate} reports: greedy captions against the
 * dev references, markers removed, document frequencies from the dev split.
 */
public final class ReferenceRewards implements CaptionRewards {

    private final RewardMetric metric;
    private final Vocabulary vocabulary;
    private final int end;
    private final List<List<List<String>>> trainRefs = new ArrayList<>();
    private final List<List<List<String>>> devRefs = new ArrayList<>();
    private final Cider.Scorer cider;

    /**
     * @param dataset the captions and split
     * @param cleaning how the model cleans captions
     * @param vocabulary the model's vocabulary
     * @param metric the training reward
     */
    public ReferenceRewards(Dataset dataset, Cleaning cleaning, Vocabulary vocabulary, RewardMetric metric) {
        this(dataset.images(Split.TRAIN).stream().map(ImageRecord::captions).toList(),
                dataset.images(Split.DEV).stream().map(ImageRecord::captions).toList(), cleaning, vocabulary, metric);
    }

    /**
     * @param trainCaptions the raw reference captions of each training image, in split order
     * @param devCaptions the raw reference captions of each dev image, in split order
     * @param cleaning how the model cleans captions
     * @param vocabulary the model's vocabulary
     * @param metric the training reward
     */
    public ReferenceRewards(List<List<String>> trainCaptions, List<List<String>> devCaptions, Cleaning cleaning,
            Vocabulary vocabulary, RewardMetric metric) {
        this.metric = metric;
        this.vocabulary = vocabulary;
        this.end = vocabulary.index(Cleaning.END);
        for (List<String> captions : trainCaptions) {
            List<List<String>> refs = new ArrayList<>();
            for (String c : captions) {
                List<String> t = new ArrayList<>(cleaning.words(c));
                t.add(Cleaning.END);
                refs.add(t);
            }
            trainRefs.add(refs);
        }
        for (List<String> captions : devCaptions) {
            devRefs.add(captions.stream().map(cleaning::words).toList());
        }
        this.cider = metric == RewardMetric.BLEU4 ? null : new Cider.Scorer(trainRefs);
    }

    /**
     * @param caption tokens after the start marker
     * @param withEnd whether to keep the end marker
     * @return the caption's words
     */
    private List<String> words(int[] caption, boolean withEnd) {
        List<String> w = new ArrayList<>(caption.length);
        for (int t : caption) {
            if (t != end) {
                w.add(vocabulary.word(t));
            } else if (withEnd) {
                w.add(Cleaning.END);
            }
        }
        return w;
    }

    /**
     * @param caption tokens after the start marker
     * @param image position in the training split
     * @return the reward of one caption
     */
    public double reward(int[] caption, int image) {
        List<String> hyp = words(caption, true);
        double r = 0;
        if (cider != null) {
            r += cider.score(hyp, image);
        }
        if (metric != RewardMetric.CIDER_D) {
            r += Bleu.sentenceSmoothed(hyp, trainRefs.get(image), 4);
        }
        return r;
    }

    @Override
    public double[] train(int[] images, int[][] captions) {
        double[] r = new double[captions.length];
        for (int i = 0; i < captions.length; i++) {
            r[i] = reward(captions[i], images[i]);
        }
        return r;
    }

    @Override
    public double dev(int[][] captions) {
        List<List<String>> hyps = new ArrayList<>(captions.length);
        for (int[] c : captions) {
            hyps.add(words(c, false));
        }
        return Cider.corpus(hyps, devRefs);
    }
}
