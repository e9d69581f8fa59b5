package dev.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.decode.Caption;
import dev.captioner.testutil.TinyPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java examples of the documentation (docs/java-api.md, which the README links to), compiled
 * and run as a user would, and the API they show.
 */
class ReadmeExamplesTest {

    @TempDir
    static Path shared;

    static TinyPipeline p;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pipeline() throws Exception {
        p = TinyPipeline.build(shared);
    }

    private static List<String> javaBlocks() throws Exception {
        String readme = Files.readString(Path.of("docs/java-api.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            if (m.group(1).contains("public class")) {
                blocks.add(m.group(1));
            }
        }
        return blocks;
    }

    @Test
    void everyDocumentedJavaExampleCompilesAndCaptionsAnImage() throws Exception {
        List<String> blocks = javaBlocks();
        assertThat(blocks).as("Java examples in docs/java-api.md").hasSizeGreaterThanOrEqualTo(2);
        Path image = p.data().resolve("Flicker8k_Dataset/shapes_000005.jpg");
        for (String code : blocks) {
            String name = code.replaceAll("(?s).*public class (\\w+).*", "$1");
            Path src = tmp.resolve(name + ".java");
            Files.writeString(src, code);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
            int rc = javac.run(null, diagnostics, diagnostics, "-d", tmp.toString(), "-classpath",
                    System.getProperty("java.class.path"), src.toString());
            assertThat(rc).as(name + " compiles: " + diagnostics).isZero();
            String printed;
            PrintStream original = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
                System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
                Method main = loader.loadClass(name).getMethod("main", String[].class);
                main.invoke(null, (Object) new String[] {p.model().toString(), image.toString()});
            } finally {
                System.setOut(original);
            }
            printed = captured.toString(StandardCharsets.UTF_8).strip();
            assertThat(printed).as(name + " prints a caption").isNotEmpty().doesNotContain("startseq")
                    .matches("[a-z ].*");
        }
    }

    @Test
    void theExampleProjectRunsExactlyTheDocumentedExamples() throws Exception {
        // examples/java-api is built and run against the installed artifact by the build
        // (maven-invoker-plugin); it must show what the documentation shows.
        for (String code : javaBlocks()) {
            String name = code.replaceAll("(?s).*public class (\\w+).*", "$1");
            assertThat(Path.of("examples/java-api/src/main/java", name + ".java")).as(name).hasContent(code);
        }
    }

    @Test
    void theApiIsSafeFromManyThreadsAndAgreesWithItself() throws Exception {
        List<Path> images = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            images.add(p.data().resolve(String.format("Flicker8k_Dataset/shapes_%06d.jpg", i)));
        }
        try (Captioner c = Captioner.load(p.model(), Captioner.Spec.defaults().withBeam(2))) {
            List<Caption> sequential = c.captionAll(images);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Caption>> futures = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (Path img : images) {
                        futures.add(pool.submit(() -> c.caption(img)));
                    }
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertThat(futures.get(i).get().text()).isEqualTo(sequential.get(i % images.size()).text());
                }
            } finally {
                pool.shutdownNow();
            }
            Caption fromAwt = c.caption(javax.imageio.ImageIO.read(images.get(0).toFile()));
            assertThat(fromAwt.text()).isEqualTo(sequential.get(0).text());
            assertThat(c.alternatives(dev.captioner.image.ImageLoader.withDefaults().load(images.get(0)))).hasSize(2);
        }
    }
}
