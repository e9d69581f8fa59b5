/**
 * Scores: BLEU-1..4, CIDEr-D and ROUGE-L equal to coco-caption's ({@link dev.captioner.eval.Bleu},
 * {@link dev.captioner.eval.Cider}, {@link dev.captioner.eval.RougeL}), and the evaluation of a
 * model on a split ({@link dev.captioner.eval.Evaluation}).
 *
 * <p>May import {@code hf}, {@code decode} and the packages below them.
 */
package dev.captioner.eval;
