package dev.captioner.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.testutil.Maven;
import dev.captioner.testutil.TinyPipeline;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI jar as a Spark application, launched as a cluster launches it: Spark's own
 * {@code org.apache.spark.deploy.SparkSubmit} in a separate JVM, with Spark's class path (and
 * nothing of ours) and the CLI jar as the application jar: with {@code --master local[2]}, and
 * with executors in JVMs of their own ({@code local-cluster}).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // spark-submit runs in JVMs of their own
class SparkSubmitIT {

    private static final Path CLI_JAR = Path.of(System.getProperty("captioner.cliJar"));

    @TempDir
    Path tmp;

    private static String classpath;

    /** Spark's runtime class path, resolved by Maven from src/it/spark-runtime (spark-sql alone). */
    private static synchronized String sparkRuntimeClasspath() throws Exception {
        if (classpath != null) {
            return classpath;
        }
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
        classpath = Files.readString(file).strip();
        assertThat(classpath).contains("spark-core_2.13").contains("log4j-slf4j2-impl").doesNotContain("djl");
        return classpath;
    }

    @Test
    void sparkSubmitRunsTheCliJarsSparkCaptioner() throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp.resolve("pipeline"));
        Path images = images(p);
        Path out = tmp.resolve("captions");

        String output = sparkSubmit(List.of("--master", "local[2]"), Map.of(), "caption", "--images", images.toString(),
                "--model", p.model().toString(), "--out", out.toString(), "--beam", "2");
        assertThat(output).contains("captioned 9 files (1 with errors");
        assertCaptioned(out);
    }

    /**
     * Executors in JVMs of their own, as on a standalone cluster: {@code local-cluster[2,1,1024]}
     * runs a master and two workers inside spark-submit's JVM, and each worker starts its
     * executor as a new {@code java} process from {@code SPARK_HOME/jars}. Each executor loads the
     * model once, however many tasks it runs.
     */
    @Test
    void localClusterExecutorsLoadTheModelOncePerJvm() throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp.resolve("pipeline"));
        Path images = images(p);
        Path out = tmp.resolve("captions");
        Path home = sparkHome();

        String output = sparkSubmit(List.of("--master", "local-cluster[2,1,1024]", "--conf", "spark.executor.memory=1g"),
                Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.13"), "caption", "--images",
                images.toString(), "--model", p.model().toString(), "--out", out.toString(), "--partitions", "6");
        assertThat(output).contains("captioned 9 files (1 with errors");
        assertCaptioned(out);

        // Each executor's stderr: work/app-ID/EXECUTOR/stderr under the workers' SPARK_HOME. While
        // the application stops, the master keeps replacing the executors the stopping workers
        // kill, so there are more logs than the two executors that ran the job; those run nothing.
        List<Path> logs;
        try (Stream<Path> s = Files.walk(home.resolve("work"))) {
            logs = s.filter(f -> f.getFileName().toString().equals("stderr")).toList();
        }
        assertThat(logs).as("executor logs").isNotEmpty();
        long submitPid = Long.parseLong(Files.readString(tmp.resolve("spark-submit.pid")).strip());
        Set<String> pids = new HashSet<>();
        int tasks = 0;
        int loads = 0;
        int working = 0;
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("captioner: loaded model \\S+ in JVM (\\d+)").matcher(text);
            int here = 0;
            while (m.find()) {
                here++;
                pids.add(m.group(1));
            }
            int ran = Pattern.compile("Running task").split(text, -1).length - 1;
            assertThat(here).as(log + " loads the model at most once").isLessThanOrEqualTo(1);
            assertThat(here).as(log + " loads the model if it ran tasks").isEqualTo(ran > 0 ? 1 : 0);
            tasks += ran;
            loads += here;
            working += ran > 0 ? 1 : 0;
        }
        assertThat(working).as("executors that ran tasks").isBetween(1, 2);
        assertThat(tasks).as("tasks (6 caption partitions, then the error count)").isGreaterThan(working);
        assertThat(loads).as("loads: one per executor that ran tasks, each in its own JVM").isEqualTo(working)
                .isEqualTo(pids.size());
        assertThat(pids).as("executors are JVMs of their own").doesNotContain(Long.toString(submitPid));
    }

    /**
     * Spark puts its own jars first, so a class both have is Spark's on a cluster. The CLI jar may
     * share only libraries whose Spark copy is a compatible version (same major version, minor at
     * least ours; annotations-only jars aside); the libraries Spark has in older versions are
     * relocated in the CLI jar and must not be shared at all.
     */
    @Test
    void cliJarSharesWithSparkOnlyLibrariesSparkHasInACompatibleVersion() throws Exception {
        Set<String> ours = classes(CLI_JAR);
        Map<String, String> sharedVersions = new TreeMap<>(); // Spark's artifactId -> Spark's version
        for (String entry : sparkRuntimeClasspath().split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
                continue;
            }
            Set<String> theirs = classes(jar);
            theirs.retainAll(ours);
            if (!theirs.isEmpty()) {
                sharedVersions.put(jar.getParent().getParent().getFileName().toString(),
                        jar.getParent().getFileName().toString());
            }
        }
        assertThat(sharedVersions.keySet()).as("libraries the CLI jar shares with Spark 4.1's runtime")
                .isSubsetOf("jackson-databind", "jackson-core", "jackson-annotations", "commons-compress", "commons-io",
                        "commons-codec", "slf4j-api", "error_prone_annotations")
                .doesNotContain("gson", "commons-lang3", "lz4-java", "compress-lzf", "jakarta.servlet-api",
                        "jakarta.annotation-api", "jakarta.inject-api")
                .contains("jackson-databind", "slf4j-api");
        Map<String, String> oursVersions = bundledVersions(CLI_JAR);
        sharedVersions.forEach((artifact, sparkVersion) -> {
            String mine = oursVersions.get(artifact);
            if (mine == null || artifact.equals("error_prone_annotations")) {
                return; // a differently named copy of the same API, or annotations without run-time code
            }
            String[] a = sparkVersion.split("\\.");
            String[] b = mine.split("\\.");
            assertThat(a[0]).as(artifact + " major version, Spark's " + sparkVersion + " and ours " + mine).isEqualTo(b[0]);
            assertThat(Integer.parseInt(a[1])).as(artifact + " minor version, Spark's " + sparkVersion + " and ours " + mine)
                    .isGreaterThanOrEqualTo(Integer.parseInt(b[1]));
        });
        assertThat(ours).as("relocated").contains("dev/captioner/shaded/gson/Gson.class",
                "dev/captioner/shaded/servlet/http/HttpServlet.class")
                .doesNotContain("com/google/gson/Gson.class", "jakarta/servlet/http/HttpServlet.class");
    }

    /** @return the class files in a jar (not module descriptors or versioned copies) */
    private static Set<String> classes(Path jar) throws Exception {
        Set<String> out = new HashSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class"))
                    .forEach(out::add);
        }
        return out;
    }

    /** @return artifactId to version of every library whose pom.properties the jar carries */
    private static Map<String, String> bundledVersions(Path jar) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : zip.stream().filter(e -> e.getName().startsWith("META-INF/maven/")
                    && e.getName().endsWith("/pom.properties")).toList()) {
                Properties p = new Properties();
                try (var in = zip.getInputStream(e)) {
                    p.load(in);
                }
                if (p.getProperty("artifactId") != null && p.getProperty("version") != null) {
                    out.put(p.getProperty("artifactId"), p.getProperty("version"));
                }
            }
        }
        return out;
    }

    private Path images(TinyPipeline p) throws Exception {
        Path images = tmp.resolve("images");
        Files.createDirectories(images);
        try (Stream<Path> s = Files.list(p.data().resolve("Flicker8k_Dataset"))) {
            for (Path f : s.sorted().limit(8).toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        Files.writeString(images.resolve("broken.jpg"), "no pixels");
        return images;
    }

    /**
     * A Spark home as a distribution lays it out, as far as a worker needs one to start
     * executors: {@code jars/} (links to Spark's runtime class path) and an empty {@code conf/}.
     */
    private Path sparkHome() throws Exception {
        Path home = tmp.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        for (String entry : sparkRuntimeClasspath().split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            Files.createSymbolicLink(home.resolve("jars").resolve(jar.getFileName()), jar);
        }
        return home;
    }

    /** Runs SparkSubmit in a JVM of its own and returns what it printed; fails unless it exits 0. */
    private String sparkSubmit(List<String> sparkOptions, Map<String, String> env, String... appArgs) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("captioner.sparkOpens").trim().split("\\s+")));
        command.addAll(List.of("-Xmx1g", "-cp", sparkRuntimeClasspath(), "org.apache.spark.deploy.SparkSubmit"));
        command.addAll(sparkOptions);
        command.addAll(List.of("--conf", "spark.ui.enabled=false", "--class", "dev.captioner.spark.SparkCaptioner",
                CLI_JAR.toString()));
        command.addAll(Arrays.asList(appArgs));
        Path log = tmp.resolve("spark-submit.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process proc = builder.start();
        Files.writeString(tmp.resolve("spark-submit.pid"), Long.toString(proc.pid()));
        assertThat(proc.waitFor(300, TimeUnit.SECONDS)).as("spark-submit finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(proc.exitValue()).as(output).isZero();
        return output;
    }

    private static void assertCaptioned(Path out) {
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
