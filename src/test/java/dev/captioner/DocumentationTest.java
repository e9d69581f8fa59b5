package dev.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README is a front page and {@code docs/} holds the rest: the README's first screen shows
 * how to do each main thing, every command has its section with an example, and every link
 * between the pages leads somewhere.
 */
class DocumentationTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]*)(#[^)\\s]*)?\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");

    @Test
    void theReadmeIsAFrontPage() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        assertThat(lines).hasSizeLessThanOrEqualTo(300);
        String first = String.join("\n", lines.subList(0, Math.min(60, lines.size())));
        assertThat(first).contains("./captioner demo", "captioner caption", "dataset download", "captioner serve",
                "spark-submit", "Java API", "Captioner.load", "mvn -B verify");
    }

    private static final Pattern NUMBER = Pattern.compile("\\d+(?:,\\d{3})*(?:\\.\\d+)?");

    /**
     * A ratio on the front page ("1.14×") divides two figures measured in one run: each such
     * row's figures all stand in one row or paragraph of docs/performance.md that says "same run".
     */
    @Test
    void everyRatioOnTheFrontPageComesFromOneRun() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String glance = readme.substring(readme.indexOf("## Performance at a glance"));
        glance = glance.substring(0, glance.indexOf("\n## ", 5) < 0 ? glance.length() : glance.indexOf("\n## ", 5));
        // A table row counts with its table's header (where "peer, same run" stands); prose by paragraph.
        List<String> blocks = new ArrayList<>();
        for (String paragraph : Files.readString(Path.of("docs/performance.md")).split("\n\\s*\n")) {
            if (paragraph.startsWith("|")) {
                String header = paragraph.lines().findFirst().orElse("");
                paragraph.lines().skip(2).forEach(r -> blocks.add(header + "\n" + r));
            } else {
                blocks.add(paragraph);
            }
        }
        List<String> unsupported = new ArrayList<>();
        int rows = 0;
        for (String row : glance.lines().filter(l -> l.startsWith("|") && l.contains("×")).toList()) {
            rows++;
            String[] cells = row.split("\\|");
            List<String> figures = new ArrayList<>();
            java.util.regex.Matcher m = NUMBER.matcher(cells[2] + " " + cells[3].replaceAll("\\([^)]*×[^)]*\\)", ""));
            while (m.find()) {
                figures.add(m.group());
            }
            boolean found = blocks.stream().anyMatch(b -> b.contains("same run") && figures.stream().allMatch(b::contains));
            if (!found) {
                unsupported.add(row + "  figures " + figures);
            }
        }
        assertThat(rows).isGreaterThan(2);
        assertThat(unsupported).as("ratios whose figures no 'same run' row or paragraph of performance.md holds").isEmpty();
    }

    /**
     * The pages speak to a user on their own machine: no path into the project's development
     * material ({@code ../shared}) and no word of a development machine; figures name the machine
     * they were measured on.
     */
    @Test
    void thePagesSpeakOfTheUsersMachine() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        for (Path page : pages) {
            String text = Files.readString(page);
            assertThat(text).as(page.toString()).doesNotContain("../shared").doesNotContainIgnoringCase("development machine")
                    .doesNotContainIgnoringCase("development VM").doesNotContainIgnoringCase("dev machine");
        }
    }

    @Test
    void everyCommandHasItsSectionWithAnExample() throws Exception {
        String commands = Files.readString(Path.of("docs/commands.md"));
        List<String> missing = new ArrayList<>();
        collect(Main.commandLine(), "", missing, commands);
        assertThat(missing).as("commands without a section and an example in docs/commands.md").isEmpty();
    }

    /** Leaf commands: {@code captioner dataset stats}, not {@code captioner dataset}. */
    private static void collect(CommandLine cl, String prefix, List<String> missing, String doc) {
        String name = prefix.isEmpty() ? "captioner" : prefix + " " + cl.getCommandName();
        if (cl.getCommandName().equals("help")) {
            return;
        }
        boolean leaf = cl.getSubcommands().isEmpty();
        for (CommandLine sub : cl.getSubcommands().values()) {
            collect(sub, name, missing, doc);
        }
        if (!leaf || prefix.isEmpty()) {
            return;
        }
        // A section of its own, or one shared with its siblings (bench, weights), and an example.
        boolean section = doc.contains("## `" + name + "`") || doc.contains("## `" + prefix + "`");
        if (!section || !doc.contains("./" + name + " ")) {
            missing.add(name);
        }
    }

    @Test
    void everyLinkBetweenThePagesLeadsSomewhere() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertThat(pages).hasSizeGreaterThan(5);
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http")) {
                    continue;
                }
                Path file = target.isEmpty() ? page : page.resolveSibling(target).normalize();
                if (!Files.exists(file)) {
                    broken.add(page + " -> " + target);
                } else if (m.group(2) != null && file.toString().endsWith(".md")
                        && !anchors(Files.readString(file)).contains(m.group(2).substring(1))) {
                    broken.add(page + " -> " + target + m.group(2));
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** GitHub's anchors: a heading lower-cased, punctuation but hyphens dropped, spaces as hyphens. */
    private static Set<String> anchors(String markdown) {
        Set<String> out = new HashSet<>();
        Matcher h = HEADING.matcher(markdown);
        while (h.find()) {
            out.add(h.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
        }
        return out;
    }
}
