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
 * {@code spark}) down to {@code data} and {@code util}: a package may use only packages of a
 * lower layer (or its own). Read from the sources, so a new import against the flow fails here,
 * and so does a wildcard import or a fully-qualified name in the code that would slip past one.
 * Every package says its role and what it may import in its {@code package-info.java}.
 */
class LayeringTest {

    /** Layer of each package; {@code ""} is the root package with the {@code Captioner} facade. */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("util", 0), Map.entry("data", 1), Map.entry("image", 2), Map.entry("vision", 3),
            Map.entry("features", 4), Map.entry("model", 5), Map.entry("train", 6), Map.entry("decode", 7),
            Map.entry("hf", 8), Map.entry("eval", 9), Map.entry("plot", 10), Map.entry("", 11), Map.entry("pipeline", 12),
            Map.entry("serve", 13), Map.entry("bench", 13), Map.entry("options", 13), Map.entry("spark", 14),
            Map.entry("cli", 15));

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.captioner\\.(\\w+)(\\.[\\w.]*)?(\\.\\*)?;",
            Pattern.MULTILINE);
    /** A use of another package by its full name, in code (comments and strings are removed first). */
    private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.captioner\\.(\\w+)\\.");
    private static final Pattern COMMENTS_AND_STRINGS = Pattern.compile(
            "/\\*.*?\\*/|//[^\\n]*|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])'", Pattern.DOTALL);

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
            String source = Files.readString(f);
            Matcher m = IMPORT.matcher(source);
            while (m.find()) {
                if (m.group(3) != null) {
                    violations.add(root.relativize(f) + " imports dev.captioner." + m.group(1)
                            + (m.group(2) == null ? "" : m.group(2)) + ".* (name what it uses)");
                }
                check(root, f, from, m.group(1), "imports", violations);
            }
            if (!f.getFileName().toString().equals("package-info.java")) {
                String code = COMMENTS_AND_STRINGS.matcher(source).replaceAll(" ").replaceAll("(?m)^(package|import) .*$", "");
                Matcher q = QUALIFIED.matcher(code);
                while (q.find()) {
                    check(root, f, from, q.group(1), "names", violations);
                }
            }
        }
        assertThat(violations).as("imports against the flow of the house").isEmpty();
    }

    private static void check(Path root, Path f, String from, String target, String how, List<String> violations) {
        // dev.captioner.Captioner (a class, upper case) is the root package.
        String to = Character.isUpperCase(target.charAt(0)) ? "" : target;
        assertThat(LAYER).as("layer of package '%s'", to).containsKey(to);
        if (!to.equals(from) && LAYER.get(to) >= LAYER.get(from)) {
            violations.add(root.relativize(f) + " " + how + " dev.captioner." + target);
        }
    }

    @Test
    void everyPackageSaysWhatItIsAndWhatItMayImport() throws Exception {
        Path root = Path.of("src/main/java/dev/captioner");
        try (Stream<Path> s = Files.walk(root)) {
            for (Path dir : s.filter(Files::isDirectory).toList()) {
                Path info = dir.resolve("package-info.java");
                assertThat(info).as("package-info.java of " + root.relativize(dir)).exists();
                assertThat(Files.readString(info)).as(info.toString()).containsPattern("(?i)may import|imports no|the top layer");
            }
        }
    }
}
