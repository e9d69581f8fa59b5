package dev.captioner.data;

import dev.captioner.data.ShapeScenes.Item;
import dev.captioner.data.ShapeScenes.Scene;
import dev.captioner.util.JpegFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/** Draws a synthetic scene (antialiased shapes, optional faint texture) and encodes it as JPEG. */
final class ShapeRenderer {

    private ShapeRenderer() {}

    /** Renders a scene, with a faint texture if asked for. */
    static BufferedImage render(Scene scene, int size, Random random) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(scene.background().color);
            g.fillRect(0, 0, size, size);
            if (scene.textured()) {
                texture(g, scene.background().color, size, random);
            }
            for (Item it : scene.items()) {
                g.setColor(it.paint().color);
                g.fill(outline(it, size));
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void texture(Graphics2D g, Color base, int size, Random random) {
        int shift = base.getRed() > 128 ? -22 : 22;
        g.setColor(new Color(clamp(base.getRed() + shift), clamp(base.getGreen() + shift), clamp(base.getBlue() + shift)));
        g.setStroke(new BasicStroke(Math.max(1f, size / 64f)));
        int step = Math.max(4, size / 12);
        int offset = random.nextInt(step);
        boolean diagonal = random.nextBoolean();
        for (int k = -size; k < 2 * size; k += step) {
            if (diagonal) {
                g.drawLine(k + offset, 0, k + offset + size, size);
            } else {
                g.drawLine(0, k + offset, size, k + offset);
            }
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static Shape outline(Item it, int size) {
        double cx = it.x() * size;
        double cy = it.y() * size;
        double r = it.radius() * size;
        switch (it.kind()) {
            case CIRCLE:
                return new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            case SQUARE:
                double h = r * 0.9;
                return new Rectangle2D.Double(cx - h, cy - h, 2 * h, 2 * h);
            case TRIANGLE:
                Path2D.Double t = new Path2D.Double();
                t.moveTo(cx, cy - r);
                t.lineTo(cx + r, cy + r * 0.8);
                t.lineTo(cx - r, cy + r * 0.8);
                t.closePath();
                return t;
            case DIAMOND:
                Path2D.Double d = new Path2D.Double();
                d.moveTo(cx, cy - r);
                d.lineTo(cx + r * 0.75, cy);
                d.lineTo(cx, cy + r);
                d.lineTo(cx - r * 0.75, cy);
                d.closePath();
                return d;
            case STAR:
            default:
                Polygon star = new Polygon();
                for (int k = 0; k < 10; k++) {
                    double radius = k % 2 == 0 ? r : r * 0.45;
                    double angle = -Math.PI / 2 + k * Math.PI / 5;
                    star.addPoint((int) Math.round(cx + radius * Math.cos(angle)),
                            (int) Math.round(cy + radius * Math.sin(angle)));
                }
                return star;
        }
    }

    static byte[] jpeg(BufferedImage img) {
        return JpegFiles.encode(img, 0.92f);
    }
}
