package dev.captioner.plot;

import dev.captioner.decode.Caption;
import dev.captioner.util.AtomicFiles;
import dev.captioner.vision.GridShape;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The picture Show, Attend and Tell made famous: the image, then one panel per generated word
 * showing where the model looked for it, its attention weights upsampled smoothly to the image
 * and laid over it as a heat map, the word printed under it.
 */
public final class AttentionPicture {

    /** Longest side of a panel, in pixels: larger images are scaled down to it. */
    static final int PANEL = 224;
    /** Smaller images are scaled up to this, so a word's map stays readable. */
    static final int MIN_PANEL = 160;
    private static final int COLUMNS = 5;
    private static final int PAD = 10;
    private static final int LABEL = 26;
    private static final Font WORD = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font CAPTION = new Font(Font.SANS_SERIF, Font.PLAIN, 14);

    private AttentionPicture() {}

    /**
     * Draws the picture.
     *
     * @param image the captioned image (any size; panels are {@value #MIN_PANEL} to {@value #PANEL} px)
     * @param caption a caption with attention weights
     * @param grid the grid the weights are over
     * @return the drawing
     * @throws IllegalArgumentException if the caption has no weights or they do not fit the grid
     */
    public static BufferedImage draw(BufferedImage image, Caption caption, GridShape grid) {
        if (caption.attention() == null) {
            throw new IllegalArgumentException("the caption has no attention weights: the model is not an attention model");
        }
        int side = Math.max(image.getWidth(), image.getHeight());
        double scale = side > PANEL ? (double) PANEL / side : side < MIN_PANEL ? (double) MIN_PANEL / side : 1;
        int pw = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int ph = Math.max(1, (int) Math.round(image.getHeight() * scale));
        BufferedImage base = scaled(image, pw, ph);
        List<String> words = caption.words();
        int panels = words.size() + 1;
        int columns = Math.min(COLUMNS, panels);
        int rows = (panels + columns - 1) / columns;
        int width = columns * pw + (columns + 1) * PAD;
        Graphics2D probe = base.createGraphics();
        FontMetrics fm = probe.getFontMetrics(CAPTION);
        probe.dispose();
        List<String> heading = ImageGrid.wrap(caption.words().isEmpty() ? "(empty caption)" : caption.text(), fm,
                width - 2 * PAD);
        int top = PAD + heading.size() * fm.getHeight();
        int height = top + rows * (ph + LABEL) + (rows + 1) * PAD;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(CAPTION);
            g.setColor(new Color(0x222222));
            for (int i = 0; i < heading.size(); i++) {
                g.drawString(heading.get(i), PAD, PAD + i * fm.getHeight() + fm.getAscent());
            }
            for (int i = 0; i < panels; i++) {
                int x = PAD + (i % columns) * (pw + PAD);
                int y = top + PAD + (i / columns) * (ph + LABEL + PAD);
                if (i == 0) {
                    g.drawImage(base, x, y, null);
                    label(g, "image", CAPTION, x, y + ph, pw);
                } else {
                    float[] alpha = caption.attention().get(i - 1);
                    g.drawImage(overlay(base, alpha, grid), x, y, null);
                    label(g, words.get(i - 1), WORD, x, y + ph, pw);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Draws the picture and writes it as a PNG, atomically.
     *
     * @param image the captioned image
     * @param caption a caption with attention weights
     * @param grid the grid the weights are over
     * @param file where to write
     */
    public static void write(BufferedImage image, Caption caption, GridShape grid, Path file) {
        BufferedImage picture = draw(image, caption, grid);
        AtomicFiles.write(file, o -> ImageIO.write(picture, "png", o));
    }

    /**
     * Lays one word's weights over the image: bilinear upsampling from the cell centres (so the
     * map is smooth, not blocky), scaled from the smallest weight to the largest as matplotlib's
     * {@code imshow} scales a map; the image is dimmed where the model did not look (a spotlight,
     * as in the paper's figures) and tinted with the heat colour where it did.
     *
     * @param image the panel-sized image
     * @param alpha {@code H × W} weights, row-major
     * @param grid the grid's shape
     * @return a new image of the same size
     */
    static BufferedImage overlay(BufferedImage image, float[] alpha, GridShape grid) {
        if (alpha.length != grid.locations()) {
            throw new IllegalArgumentException(alpha.length + " weights for a " + grid.height() + "x" + grid.width() + " grid");
        }
        float[][] heat = upsample(alpha, grid.height(), grid.width(), image.getWidth(), image.getHeight());
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                float v = heat[y][x];
                int c = heatColour(v);
                float light = 0.2f + 0.8f * v;
                int r = Math.round(0.7f * light * ((rgb >> 16) & 0xFF) + 0.3f * ((c >> 16) & 0xFF));
                int gg = Math.round(0.7f * light * ((rgb >> 8) & 0xFF) + 0.3f * ((c >> 8) & 0xFF));
                int b = Math.round(0.7f * light * (rgb & 0xFF) + 0.3f * (c & 0xFF));
                out.setRGB(x, y, r << 16 | gg << 8 | b);
            }
        }
        return out;
    }

    /**
     * Bilinear interpolation of a grid to {@code width × height}, each grid cell's value sitting
     * at the cell's centre, scaled so the smallest weight is 0 and the largest 1 (all 0 if they
     * are equal).
     *
     * @return {@code [height][width]} values in [0, 1]
     */
    static float[][] upsample(float[] alpha, int gh, int gw, int width, int height) {
        float max = Float.NEGATIVE_INFINITY;
        float min = Float.POSITIVE_INFINITY;
        for (float a : alpha) {
            max = Math.max(max, a);
            min = Math.min(min, a);
        }
        float norm = max > min ? 1 / (max - min) : 0;
        float[][] out = new float[height][width];
        for (int y = 0; y < height; y++) {
            double gy = Math.min(gh - 1, Math.max(0, (y + 0.5) * gh / height - 0.5));
            int y0 = (int) Math.floor(gy);
            int y1 = Math.min(gh - 1, y0 + 1);
            double fy = gy - y0;
            for (int x = 0; x < width; x++) {
                double gx = Math.min(gw - 1, Math.max(0, (x + 0.5) * gw / width - 0.5));
                int x0 = (int) Math.floor(gx);
                int x1 = Math.min(gw - 1, x0 + 1);
                double fx = gx - x0;
                double top = alpha[y0 * gw + x0] * (1 - fx) + alpha[y0 * gw + x1] * fx;
                double bottom = alpha[y1 * gw + x0] * (1 - fx) + alpha[y1 * gw + x1] * fx;
                out[y][x] = (float) ((top * (1 - fy) + bottom * fy - min) * norm);
            }
        }
        return out;
    }

    /** A black-red-yellow-white ramp (like matplotlib's "hot"): dark where the model did not look. */
    static int heatColour(float v) {
        float t = Math.max(0, Math.min(1, v));
        int r = (int) (255 * Math.min(1, t * 2.5f));
        int g = (int) (255 * Math.max(0, Math.min(1, t * 2.5f - 1)));
        int b = (int) (255 * Math.max(0, Math.min(1, t * 2.5f - 2)));
        return r << 16 | g << 8 | b;
    }

    private static BufferedImage scaled(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(image, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void label(Graphics2D g, String text, Font font, int x, int top, int width) {
        g.setFont(font);
        g.setColor(new Color(0x222222));
        FontMetrics fm = g.getFontMetrics();
        String shown = text;
        while (fm.stringWidth(shown) > width && shown.length() > 1) {
            shown = shown.substring(0, shown.length() - 1);
        }
        g.drawString(shown, x + (width - fm.stringWidth(shown)) / 2, top + 4 + fm.getAscent());
    }
}
