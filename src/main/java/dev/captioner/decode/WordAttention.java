package dev.captioner.decode;

import dev.captioner.vision.GridShape;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an attention model looked for one word: its weights over the image's grid as rows, the
 * shape in which the CLI's {@code --json} lines and {@code POST /api/caption} give them.
 *
 * @param word the generated word
 * @param weights {@code [height][width]} attention weights, summing to 1
 * @param height grid rows
 * @param width grid columns
 */
public record WordAttention(String word, float[][] weights, int height, int width) {

    /**
     * @param caption a caption from an attention model
     * @param grid the grid its weights are over
     * @return one entry per word, or an empty list if the caption has no weights
     */
    public static List<WordAttention> of(Caption caption, GridShape grid) {
        List<WordAttention> out = new ArrayList<>();
        if (caption.attention() == null) {
            return out;
        }
        for (int i = 0; i < caption.words().size(); i++) {
            float[] a = caption.attention().get(i);
            if (a.length != grid.locations()) {
                throw new IllegalArgumentException(a.length + " weights for a " + grid.height() + "x" + grid.width() + " grid");
            }
            float[][] rows = new float[grid.height()][];
            for (int r = 0; r < grid.height(); r++) {
                rows[r] = java.util.Arrays.copyOfRange(a, r * grid.width(), (r + 1) * grid.width());
            }
            out.add(new WordAttention(caption.words().get(i), rows, grid.height(), grid.width()));
        }
        return out;
    }
}
