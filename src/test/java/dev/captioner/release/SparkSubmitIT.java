package dev.captioner.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.testutil.Maven;
import dev.captioner.testutil.TinyPipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI jar as a Spark application, launched as a cluster launches it: Spark's own
 * {@code org.apache.spark.deploy.SparkSubmit} in a separate JVM, with Spark's class path (and
 * nothing of ours) and the CLI jar as the application jar, {@code --master local[2]}.
 */
class SparkSubmitIT {

    private static final Path CLI_JAR = Path.of(System.getProperty("captioner.cliJar"));

    @TempDir
    Path tmp;

    /** Spark's runtime class path, resolved by Maven from src/it/spark-runtime (spark-sql alone). */
    private String sparkRuntimeClasspath() throws Exception {
        Path target = CLI_JAR.getParent();
        Path file = target.resolve("spark-runtime-classpath.txt");
        List<String> command = List.of(Maven.command(), "-B", "-q", "-f",
                target.getParent().resolve("src/it/spark-runtime/pom.xml").toString(),
                "-Dspark.version=" + System.getProperty("captioner.sparkVersion"),
                "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"), "dependency:build-classpath",
                "-Dmdep.outputFile=" + file);
        Path log = target.resolve("spark-runtime.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("maven for Spark's class path").isTrue();
        assertThat(p.exitValue()).as("Spark's class path; see " + log).isZero();
        String classpath = Files.readString(file).strip();
        assertThat(classpath).contains("spark-core_2.13").contains("log4j-slf4j2-impl").doesNotContain("djl");
        return classpath;
    }

    @Test
    void sparkSubmitRunsTheCliJarsSparkCaptioner() throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp.resolve("pipeline"));
        Path images = tmp.resolve("images");
        Files.createDirectories(images);
        try (Stream<Path> s = Files.list(p.data().resolve("Flicker8k_Dataset"))) {
            for (Path f : s.sorted().limit(8).toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        Files.writeString(images.resolve("broken.jpg"), "no pixels");
        Path out = tmp.resolve("captions");

        String sparkClasspath = sparkRuntimeClasspath();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("captioner.sparkOpens").trim().split("\\s+")));
        command.addAll(List.of("-Xmx1g", "-cp", sparkClasspath, "org.apache.spark.deploy.SparkSubmit",
                "--master", "local[2]", "--conf", "spark.ui.enabled=false",
                "--class", "dev.captioner.spark.SparkCaptioner", CLI_JAR.toString(),
                "caption", "--images", images.toString(), "--model", p.model().toString(), "--out", out.toString(),
                "--beam", "2"));
        Path log = tmp.resolve("spark-submit.log");
        Process proc = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(proc.waitFor(240, TimeUnit.SECONDS)).as("spark-submit finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(proc.exitValue()).as(output).isZero();
        assertThat(output).contains("captioned 9 files (1 with errors");

        SparkSession spark = SparkSession.builder().master("local[1]").appName("read")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
            assertThat(rows).hasSize(9);
            assertThat(rows).filteredOn(r -> r.getAs("error") == null).hasSize(8)
                    .allSatisfy(r -> assertThat((String) r.getAs("caption")).matches("[a-z ]+"));
        } finally {
            spark.stop();
        }
    }
}
