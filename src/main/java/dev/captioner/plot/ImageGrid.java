package dev.captioner.plot;

import dev.captioner.util.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A grid of pictures with text under each, like the Keras tutorial's "images and their captions" plots:
 * every line is word-wrapped to the cell's width, so no caption is clipped.
 */
public final class ImageGrid {

    /**
     * One cell.
     *
     * @param image the picture (scaled to fit the cell), or null for text only
     * @param lines text under it; a line starting with {@code "! "} is drawn bold
     */
    public record Cell(BufferedImage image, List<String> lines) {}

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 22);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font BOLD = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final int PAD = 12;

    private ImageGrid() {}

    /**
     * Draws and writes the grid.
     *
     * @param title heading
     * @param cells the cells, row by row
     * @param columns cells per row
     * @param cellWidth pixels per cell (images are scaled to this width)
     * @param file PNG to write (atomically)
     */
    public static void write(String title, List<Cell> cells, int columns, int cellWidth, Path file) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D probe = scratch.createGraphics();
        FontMetrics fm = probe.getFontMetrics(TEXT);
        int imageHeight = cellWidth * 3 / 4;
        List<List<String>> wrapped = new ArrayList<>();
        int textHeight = 0;
        for (Cell c : cells) {
            List<String> w = new ArrayList<>();
            for (String line : c.lines()) {
                boolean bold = line.startsWith("! ");
                for (String part : wrap(bold ? line.substring(2) : line, probe.getFontMetrics(bold ? BOLD : TEXT), cellWidth)) {
                    w.add((bold ? "! " : "") + part);
                }
            }
            wrapped.add(w);
            textHeight = Math.max(textHeight, w.size() * (fm.getHeight() + 1));
        }
        probe.dispose();
        int rows = Math.max(1, (cells.size() + columns - 1) / columns);
        int cellHeight = imageHeight + 8 + textHeight;
        int width = columns * cellWidth + (columns + 1) * PAD;
        int height = 50 + rows * cellHeight + (rows + 1) * PAD;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(new Color(0x222222));
            g.setFont(TITLE);
            g.drawString(title, PAD, 34);
            for (int i = 0; i < cells.size(); i++) {
                int x = PAD + (i % columns) * (cellWidth + PAD);
                int y = 50 + PAD + (i / columns) * (cellHeight + PAD);
                BufferedImage img = cells.get(i).image();
                if (img != null) {
                    double scale = Math.min((double) cellWidth / img.getWidth(), (double) imageHeight / img.getHeight());
                    int w = (int) Math.round(img.getWidth() * scale);
                    int h = (int) Math.round(img.getHeight() * scale);
                    g.setColor(new Color(0xF2F2F2));
                    g.fillRect(x, y, cellWidth, imageHeight);
                    g.drawImage(img, x + (cellWidth - w) / 2, y + (imageHeight - h) / 2, w, h, null);
                }
                int ty = y + imageHeight + 8 + fm.getAscent();
                for (String line : wrapped.get(i)) {
                    boolean bold = line.startsWith("! ");
                    g.setFont(bold ? BOLD : TEXT);
                    g.setColor(bold ? new Color(0x0B4F9C) : new Color(0x333333));
                    g.drawString(bold ? line.substring(2) : line, x, ty);
                    ty += fm.getHeight() + 1;
                }
            }
        } finally {
            g.dispose();
        }
        AtomicFiles.write(file, o -> ImageIO.write(out, "png", o));
    }

    /** Greedy word wrap to a pixel width. */
    static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= width || line.length() == 0) {
                line.setLength(0);
                line.append(candidate);
            } else {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
