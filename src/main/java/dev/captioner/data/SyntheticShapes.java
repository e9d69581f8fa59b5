package dev.captioner.data;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The built-in "shapes" dataset: JPEG scenes of one to three coloured shapes with five
 * captions each that state only what is visible (colour, shape, size, count, position), written
 * in the official Flickr8k layout so that the real reader reads it. The same settings always
 * give the same bytes.
 */
public final class SyntheticShapes {

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
    private static final int CAPTIONS = 5;

    private SyntheticShapes() {}

    /**
     * Writes the dataset.
     *
     * @param config how many images, how large, which seed
     * @param out the folder to write into (created if needed)
     * @return the number of images written
     */
    public static int generate(SynthConfig config, Path out) {
        Path images = out.resolve("Flicker8k_Dataset");
        Path text = out.resolve("Flickr8k_text");
        try {
            Files.createDirectories(images);
            Files.createDirectories(text);
        } catch (IOException e) {
            throw new CaptionerException(out + ": cannot create folder: " + e.getMessage(), e);
        }
        Map<String, List<String>> captions = new LinkedHashMap<>();
        try (Progress progress = Progress.start("synth", config.images(), "images")) {
            for (int i = 0; i < config.images(); i++) {
                String name = String.format(Locale.ROOT, "shapes_%06d.jpg", i + 1);
                Random random = new Random(mix(config.seed(), i));
                Scene scene = scene(random);
                AtomicFiles.write(images.resolve(name), jpeg(render(scene, config.size(), random)));
                captions.put(name, captions(scene, random));
                progress.step();
            }
        }
        Map<String, Split> splits = RandomSplit.assign(captions.keySet(), config.seed());
        for (Split s : Split.values()) {
            StringBuilder list = new StringBuilder();
            captions.keySet().stream().filter(n -> splits.get(n) == s).forEach(n -> list.append(n).append('\n'));
            AtomicFiles.writeString(text.resolve("Flickr_8k." + s.id() + "Images.txt"), list.toString());
        }
        // The token file comes last: a folder without it is not a finished dataset.
        StringBuilder token = new StringBuilder();
        captions.forEach((name, caps) -> {
            for (int k = 0; k < caps.size(); k++) {
                token.append(name).append('#').append(k).append('\t').append(caps.get(k)).append('\n');
            }
        });
        AtomicFiles.writeString(text.resolve("Flickr8k.token.txt"), token.toString());
        return captions.size();
    }

    /**
     * A well-spread seed for image {@code i}: java.util.Random's first outputs for nearby seeds
     * are nearly equal, so the seeds are scrambled (SplitMix64's finaliser) first.
     */
    static long mix(long seed, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + (i + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Draws a random scene whose shapes do not overlap. */
    static Scene scene(Random random) {
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

    /** Five captions for a scene, in different phrasings, each true of the picture. */
    static List<String> captions(Scene scene, Random random) {
        List<String> candidates = new ArrayList<>(phrasings(scene, random));
        Collections.shuffle(candidates, random);
        List<String> out = new ArrayList<>(CAPTIONS);
        for (String c : candidates) {
            if (!out.contains(c)) {
                out.add(c);
            }
            if (out.size() == CAPTIONS) {
                break;
            }
        }
        while (out.size() < CAPTIONS) {
            out.add(candidates.get(out.size() % candidates.size()));
        }
        return out;
    }

    private static List<String> phrasings(Scene scene, Random random) {
        List<Item> items = scene.items();
        List<String> p = new ArrayList<>();
        String bg = scene.backgroundPhrase();
        if (items.size() == 1) {
            Item a = items.get(0);
            p.add(article(a.sizedNoun()) + " " + a.region.phrase);
            p.add(article(a.sizedNoun()) + " " + bg);
            p.add("there is one " + a.noun() + " " + a.region.phrase);
            p.add("a picture of " + article(a.sizedNoun()) + " " + bg);
            p.add("one " + a.sizedNoun() + " " + a.region.phrase + " " + bg);
            p.add("a single " + a.noun() + " " + a.region.phrase);
            return p;
        }
        Item a = items.get(0);
        Item b = items.get(1);
        String counted = counted(items);
        if (items.size() == 2) {
            p.add(article(a.sizedNoun()) + " " + relation(a, b) + " " + article(b.sizedNoun()));
            p.add(article(b.sizedNoun()) + " " + relation(b, a) + " " + article(a.sizedNoun()));
            p.add(counted + " " + bg);
            p.add("there is " + article(a.noun()) + " " + a.region.phrase + " and " + article(b.noun()) + " "
                    + b.region.phrase);
            p.add("a picture of " + (a.noun().equals(b.noun()) ? counted : article(a.noun()) + " and " + article(b.noun())));
            p.add("two shapes " + bg + " " + article(a.sizedNoun()) + " and " + article(b.sizedNoun()));
            return p;
        }
        Item c = items.get(2);
        String three = article(a.noun()) + " " + article(b.noun()) + " and " + article(c.noun());
        // "from left to right" only where the order is plain to see.
        p.add(c.x - b.x > 0.15 && b.x - a.x > 0.15 ? three + " from left to right" : "three shapes " + three);
        p.add(counted + " " + bg);
        p.add("three shapes " + bg);
        p.add(article(a.sizedNoun()) + " " + relation(a, b) + " " + article(b.sizedNoun()) + " and "
                + article(c.noun()) + " " + c.region.phrase);
        p.add("there is " + article(a.noun()) + " " + a.region.phrase + " " + article(b.noun()) + " "
                + b.region.phrase + " and " + article(c.noun()) + " " + c.region.phrase);
        Item big = items.stream().filter(Item::large).findFirst().orElse(null);
        if (big != null) {
            p.add("three shapes with " + article(big.sizedNoun()) + " " + big.region.phrase);
        } else {
            p.add("three small shapes " + bg);
        }
        return p;
    }

    /** "two red circles and a blue square": shapes grouped by colour and kind. */
    private static String counted(List<Item> items) {
        Map<String, Integer> groups = new TreeMap<>();
        Map<String, Item> example = new LinkedHashMap<>();
        for (Item it : items) {
            groups.merge(it.noun(), 1, Integer::sum);
            example.putIfAbsent(it.noun(), it);
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Item> e : example.entrySet()) {
            int count = groups.get(e.getKey());
            Item it = e.getValue();
            parts.add(count == 1 ? article(it.noun())
                    : (count == 2 ? "two " : "three ") + it.paint.word + " " + it.kind.plural());
        }
        return parts.size() == 1 ? parts.get(0) : String.join(" and ", parts);
    }

    private static String relation(Item a, Item b) {
        double dx = b.x - a.x;
        double dy = b.y - a.y;
        if (Math.abs(dx) >= Math.abs(dy)) {
            return dx > 0 ? "to the left of" : "to the right of";
        }
        return dy > 0 ? "above" : "below";
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }

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
                g.setColor(it.paint.color);
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
        double cx = it.x * size;
        double cy = it.y * size;
        double r = it.radius * size;
        switch (it.kind) {
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

    private static byte[] jpeg(BufferedImage img) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.92f);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new CaptionerException("cannot encode JPEG: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
