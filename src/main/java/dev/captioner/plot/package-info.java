/**
 * Pictures: the Keras tutorial's plots (word frequencies, caption lengths, PCA and k-means of the features,
 * loss curves, predictions, best and worst), attention pictures, and the HTML report ({@link
 * dev.captioner.plot.HtmlReport}).
 *
 * <p>May import {@code eval} and the packages below it.
 */
package dev.captioner.plot;
