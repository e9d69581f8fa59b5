package dev.captioner.train;

/**
 * Scores generated captions for {@link SelfCriticalTrainer}: the training reward of each sampled
 * caption against its image's references, and the dev score that picks the best epoch. The
 * evaluation package implements it (CIDEr-D, BLEU-4); a caption is given as the tokens after the
 * start marker, the end marker last if the caption reached it.
 */
public interface CaptionRewards {

    /**
     * @param images for each caption, its image's position in the training split
     * @param captions the captions
     * @return each caption's reward
     */
    double[] train(int[] images, int[][] captions);

    /**
     * @param captions one greedy caption per dev image, in the split's order
     * @return the dev score (higher is better)
     */
    double dev(int[][] captions);
}
