package dev.captioner.data;

import dev.captioner.data.ShapeScenes.Item;
import dev.captioner.data.ShapeScenes.Scene;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The caption grammar of the synthetic scenes: several phrasings of what is visible (colour,
 * shape, size, count, position, relations), of which five distinct ones are drawn per image.
 */
final class ShapeCaptions {

    private static final int CAPTIONS = 5;

    private ShapeCaptions() {}

    /** Five captions for a scene, in different phrasings, each true of the picture. */
    static List<String> of(Scene scene, Random random) {
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
            p.add(article(a.sizedNoun()) + " " + a.region().phrase);
            p.add(article(a.sizedNoun()) + " " + bg);
            p.add("there is one " + a.noun() + " " + a.region().phrase);
            p.add("a picture of " + article(a.sizedNoun()) + " " + bg);
            p.add("one " + a.sizedNoun() + " " + a.region().phrase + " " + bg);
            p.add("a single " + a.noun() + " " + a.region().phrase);
            return p;
        }
        Item a = items.get(0);
        Item b = items.get(1);
        String counted = counted(items);
        if (items.size() == 2) {
            p.add(article(a.sizedNoun()) + " " + relation(a, b) + " " + article(b.sizedNoun()));
            p.add(article(b.sizedNoun()) + " " + relation(b, a) + " " + article(a.sizedNoun()));
            p.add(counted + " " + bg);
            p.add("there is " + article(a.noun()) + " " + a.region().phrase + " and " + article(b.noun()) + " "
                    + b.region().phrase);
            p.add("a picture of " + (a.noun().equals(b.noun()) ? counted : article(a.noun()) + " and " + article(b.noun())));
            p.add("two shapes " + bg + " " + article(a.sizedNoun()) + " and " + article(b.sizedNoun()));
            return p;
        }
        Item c = items.get(2);
        String three = article(a.noun()) + " " + article(b.noun()) + " and " + article(c.noun());
        // "from left to right" only where the order is plain to see.
        p.add(c.x() - b.x() > 0.15 && b.x() - a.x() > 0.15 ? three + " from left to right" : "three shapes " + three);
        p.add(counted + " " + bg);
        p.add("three shapes " + bg);
        p.add(article(a.sizedNoun()) + " " + relation(a, b) + " " + article(b.sizedNoun()) + " and "
                + article(c.noun()) + " " + c.region().phrase);
        p.add("there is " + article(a.noun()) + " " + a.region().phrase + " " + article(b.noun()) + " "
                + b.region().phrase + " and " + article(c.noun()) + " " + c.region().phrase);
        Item big = items.stream().filter(Item::large).findFirst().orElse(null);
        if (big != null) {
            p.add("three shapes with " + article(big.sizedNoun()) + " " + big.region().phrase);
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
                    : (count == 2 ? "two " : "three ") + it.paint().word + " " + it.kind().plural());
        }
        return parts.size() == 1 ? parts.get(0) : String.join(" and ", parts);
    }

    private static String relation(Item a, Item b) {
        double dx = b.x() - a.x();
        double dy = b.y() - a.y();
        if (Math.abs(dx) >= Math.abs(dy)) {
            return dx > 0 ? "to the left of" : "to the right of";
        }
        return dy > 0 ? "above" : "below";
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

}
