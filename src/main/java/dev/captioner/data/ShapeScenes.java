package dev.captioner.data;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * What a synthetic scene is made of (shapes, colours, backgrounds, regions) and how one is drawn
 * at random: one to three shapes that do not overlap, sometimes repeated, on a plain or textured
 * background.
 */
final class ShapeScenes {

    /** Shape kinds, singular and plural. */
    enum Kind {
        CIRCLE("circle"), SQUARE("square"), TRIANGLE("triangle"), STAR("star"), DIAMOND("diamond");

        final String word;

        Kind(String word) {
            this.word = word;
        }

        String plural() {
            return word + "s";
        }
    }

    /** Shape colours, distinct from every background. */
    enum Paint {
        RED("red", 0xD62728), GREEN("green", 0x2CA02C), BLUE("blue", 0x1F4FD0), YELLOW("yellow", 0xF2D21B),
        PURPLE("purple", 0x8E3BB8), ORANGE("orange", 0xF57F17);

        final String word;
        final Color color;

        Paint(String word, int rgb) {
            this.word = word;
            this.color = new Color(rgb);
        }
    }

    /** Backgrounds, each plain or lightly textured. */
    enum Background {
        WHITE("white", 0xF7F7F7), GRAY("gray", 0x9A9A9A), BLACK("black", 0x141414);

        final String word;
        final Color color;

        Background(String word, int rgb) {
            this.word = word;
            this.color = new Color(rgb);
        }
    }

    /** Where in the frame a shape sits. */
    enum Region {
        LEFT("on the left", 0.24, 0.5), RIGHT("on the right", 0.76, 0.5), TOP("at the top", 0.5, 0.24),
        BOTTOM("at the bottom", 0.5, 0.76), CENTRE("in the centre", 0.5, 0.5);

        final String phrase;
        final double x;
        final double y;

        Region(String phrase, double x, double y) {
            this.phrase = phrase;
            this.x = x;
            this.y = y;
        }
    }

    /**
     * One shape of a scene; coordinates are fractions of the image size.
     *
     * @param kind the shape
     * @param paint its colour
     * @param large large or small
     * @param region where it sits
     * @param x centre, from the left
     * @param y centre, from the top
     * @param radius half its extent
     */
    record Item(Kind kind, Paint paint, boolean large, Region region, double x, double y, double radius) {
        String noun() {
            return paint.word + " " + kind.word;
        }

        String sizedNoun() {
            return (large ? "large " : "small ") + noun();
        }
    }

    /**
     * A scene: its shapes and background.
     *
     * @param items the shapes, left to right then top to bottom
     * @param background the background colour
     * @param textured whether the background is lightly textured
     */
    record Scene(List<Item> items, Background background, boolean textured) {
        String backgroundPhrase() {
            return "on a " + (textured ? "textured " : "plain ") + background.word + " background";
        }
    }

    private static final double SMALL = 0.11;
    private static final double LARGE = 0.19;

    private ShapeScenes() {}

    /** Draws a random scene whose shapes do not overlap. */
    static Scene draw(Random random) {
        double u = random.nextDouble();
        int n = u < 0.35 ? 1 : u < 0.75 ? 2 : 3;
        Background background = pick(random, Background.values());
        boolean textured = random.nextDouble() < 0.4;
        // Two or three of the same shape and colour make "two red circles" possible.
        boolean repeat = n > 1 && random.nextDouble() < 0.3;
        for (int attempt = 0; ; attempt++) {
            List<Region> regions = new ArrayList<>(List.of(Region.values()));
            Collections.shuffle(regions, random);
            List<Item> items = new ArrayList<>();
            Kind kind = pick(random, Kind.values());
            Paint paint = pick(random, Paint.values());
            for (int k = 0; k < n; k++) {
                if (!repeat || k == 0) {
                    kind = pick(random, Kind.values());
                    paint = pick(random, Paint.values());
                }
                boolean large = random.nextBoolean();
                double r = large ? LARGE : SMALL;
                Region region = regions.get(k);
                double x = region.x + (random.nextDouble() - 0.5) * 0.08;
                double y = region.y + (random.nextDouble() - 0.5) * 0.08;
                items.add(new Item(kind, paint, large, region, x, y, r));
            }
            if (separated(items) || attempt > 200) {
                items.sort(Comparator.comparingDouble(Item::x).thenComparingDouble(Item::y));
                return new Scene(List.copyOf(items), background, textured);
            }
        }
    }

    private static boolean separated(List<Item> items) {
        for (int i = 0; i < items.size(); i++) {
            Item a = items.get(i);
            if (a.x - a.radius < 0.02 || a.x + a.radius > 0.98 || a.y - a.radius < 0.02 || a.y + a.radius > 0.98) {
                return false;
            }
            for (int j = i + 1; j < items.size(); j++) {
                Item b = items.get(j);
                double gap = 0.03;
                boolean apartX = Math.abs(a.x - b.x) >= a.radius + b.radius + gap;
                boolean apartY = Math.abs(a.y - b.y) >= a.radius + b.radius + gap;
                if (!apartX && !apartY) {
                    return false;
                }
            }
        }
        return true;
    }

    static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }

}
