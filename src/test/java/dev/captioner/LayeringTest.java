package dev.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Imports run one way, from the entry points ({@code cli}, {@code serve}, {@code bench},
 * {@code spark}) down to {@code data} and {@code util}: a package may import only packages of a
 * lower layer (or its own). Read from the sources, so a new import against the flow fails here.
 */
class LayeringTest {

    /** Layer of each package; {@code ""} is the root package with the {@code Captioner} facade. */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("util", 0), Map.entry("data", 1), Map.entry("vision", 2), Map.entry("features", 3),
            Map.entry("model", 4), Map.entry("decode", 5), Map.entry("eval", 6), Map.entry("plot", 7),
            Map.entry("", 8), Map.entry("pipeline", 9), Map.entry("serve", 10), Map.entry("bench", 10),
            Map.entry("spark", 11), Map.entry("cli", 12));

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.captioner\\.(\\w+)(\\.[\\w.]*)?;",
            Pattern.MULTILINE);

    private static String packageOf(Path root, Path file) {
        Path rel = root.relativize(file.getParent());
        return rel.getNameCount() == 0 || rel.toString().isEmpty() ? "" : rel.getName(0).toString();
    }

    @Test
    void importsRunFromTheEntryPointsDownToData() throws Exception {
        Path root = Path.of("src/main/java/dev/captioner");
        List<String> violations = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(files).hasSizeGreaterThan(100);
        for (Path f : files) {
            String from = packageOf(root, f);
            assertThat(LAYER).as("layer of package '%s' (add it to the table)", from).containsKey(from);
            Matcher m = IMPORT.matcher(Files.readString(f));
            while (m.find()) {
                // dev.captioner.Captioner (a class, upper case) is the root package.
                String to = Character.isUpperCase(m.group(1).charAt(0)) ? "" : m.group(1);
                assertThat(LAYER).as("layer of package '%s'", to).containsKey(to);
                if (!to.equals(from) && LAYER.get(to) >= LAYER.get(from)) {
                    violations.add(root.relativize(f) + " imports dev.captioner." + m.group(1));
                }
            }
        }
        assertThat(violations).as("imports against the flow of the house").isEmpty();
    }
}
