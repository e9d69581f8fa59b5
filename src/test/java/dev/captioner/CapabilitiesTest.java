package dev.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.model.Architecture;
import dev.captioner.vision.Encoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What varies (the caption architecture, the image encoder) is a capability callers ask of the
 * model or the encoder, never a name they compare: above {@code model}, {@code vision} and
 * {@code features}, no code compares an architecture constant or id, or an encoder's name.
 * Read from the sources, like {@link LayeringTest}, with the names taken from the registries, so
 * a new architecture or encoder is covered as soon as it is registered.
 */
class CapabilitiesTest {

    /** The packages that own architectures and encoders, where naming them is their business. */
    private static final Set<String> OWNERS = Set.of("model", "vision", "features");

    /** What comparing a name looks like, for every registered architecture and encoder. */
    private static List<Pattern> branches() {
        String constants = Arrays.stream(Architecture.values()).map(Enum::name).collect(Collectors.joining("|"));
        List<String> ids = new ArrayList<>(Arrays.stream(Architecture.values()).map(Architecture::id).toList());
        ids.addAll(Encoders.names());
        String names = ids.stream().map(Pattern::quote).collect(Collectors.joining("|"));
        return List.of(
                Pattern.compile("[=!]=\\s*(Architecture\\.)?(" + constants + ")\\b"),
                Pattern.compile("\\b(Architecture\\.)?(" + constants + ")\\s*[=!]="),
                Pattern.compile("\\bcase\\s+(Architecture\\.)?(" + constants + ")\\b"),
                Pattern.compile("equals\\(\\s*Architecture\\.(" + constants + ")\\s*\\)"),
                Pattern.compile("\"(" + names + ")\"\\s*\\.\\s*equals(IgnoreCase)?\\("),
                Pattern.compile("\\.equals(IgnoreCase)?\\(\\s*\"(" + names + ")\"\\s*\\)"),
                Pattern.compile("[=!]=\\s*\"(" + names + ")\""),
                Pattern.compile("\\bcase\\s+\"(" + names + ")\""));
    }

    private static boolean branches(String line) {
        return branches().stream().anyMatch(p -> p.matcher(line).find());
    }

    @Test
    void noCallerAboveTheModelBranchesOnAnArchitectureOrEncoderName() throws Exception {
        Path root = Path.of("src/main/java/dev/captioner");
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(files).hasSizeGreaterThan(100);
        for (Path f : files) {
            Path rel = root.relativize(f);
            if (rel.getNameCount() > 1 && OWNERS.contains(rel.getName(0).toString())) {
                continue;
            }
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (branches(lines.get(i))) {
                    found.add(rel + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertThat(found).as("branches on a name; ask the model or encoder what it can do instead").isEmpty();
    }

    @Test
    void theCheckCatchesWhatItLooksFor() {
        assertThat(List.of("if (c.architecture() == Architecture.ATTENTION) {", "case MERGE, INIT_INJECT -> lstm();",
                "if (\"concepts\".equals(config.encoder().name()))", "encoder.equalsIgnoreCase(\"mobilenet\") ? a : b",
                "if (a != Architecture.MERGE)", "case \"vgg16\":")).allMatch(CapabilitiesTest::branches);
        assertThat(List.of("if (model.attentionGrid() == null) {", "Architecture a = Architecture.ATTENTION;",
                "if (!architecture.reads(FeatureKind.GRID))", "String name = Vgg16Encoder.NAME;"))
                .noneMatch(CapabilitiesTest::branches);
    }
}
