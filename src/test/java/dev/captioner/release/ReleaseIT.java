package dev.captioner.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Maven;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code package} made, checked as a user receives it (run by failsafe after
 * {@code package}): the CLI jar of this machine's platform holds that platform's PyTorch, JNI and
 * terminal native libraries and no other, carries the licenses and notices, and runs; the other
 * desktop platforms' jars, built here by Maven with {@code -Dplatform=NAME}, hold theirs; the
 * library jar bundles nothing; the SBOM lists what the CLI jar bundles; and the release check
 * refuses a dependency whose license is GPL-only or unknown.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES) // nested Maven builds of three platform jars
class ReleaseIT {

    private static final Path CLI_JAR = Path.of(System.getProperty("captioner.cliJar"));
    private static final String HOST = System.getProperty("captioner.platform");
    private static final String VERSION = System.getProperty("captioner.version");

    /** Each platform's names in the jar: PyTorch's classifier, JNA's and JLine's folder names. */
    private static final Map<String, List<String>> PLATFORMS = Map.of(
            "linux-x86_64", List.of("linux-x86-64", "Linux/x86_64", "linux-x64", "linux/x86_64"),
            "linux-aarch64", List.of("linux-aarch64", "Linux/arm64", "linux-aarch64", "linux/ARMv8"),
            "osx-aarch64", List.of("darwin-aarch64", "Mac/arm64", "osx-aarch64", "osx/ARMv8"),
            "win-x86_64", List.of("win32-x86-64", "Windows/x86_64", "win-x64", "windows/x86_64"));

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    private static String text(Path jar, String entry) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry e = zip.getEntry(entry);
            assertThat(e).as(entry + " in " + jar.getFileName()).isNotNull();
            return new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The jar holds {@code platform}'s native libraries, and none of any other platform. */
    private static void holdsOnlyItsPlatform(Path jar, String platform) throws IOException {
        List<String> names = entries(jar);
        List<String> natives = names.stream().filter(n -> !n.endsWith("/")).filter(n -> n.startsWith("pytorch/")
                || n.startsWith("jnilib/") || n.startsWith("native/lib/") || n.matches("com/sun/jna/[^/]+-[^/]+/.*")
                || n.matches("org/jline/nativ/[A-Za-z]+/.*") || n.startsWith("ai/onnxruntime/native/")
                || n.startsWith("nu/pattern/opencv/")).toList();
        String jna = PLATFORMS.get(platform).get(0);
        String jline = PLATFORMS.get(platform).get(1);
        String ort = PLATFORMS.get(platform).get(2);
        String opencv = PLATFORMS.get(platform).get(3);
        assertThat(natives).as("native libraries in " + jar.getFileName()).isNotEmpty().allSatisfy(n -> assertThat(
                n.startsWith("pytorch/cpu/" + platform + "/") || n.startsWith("jnilib/" + platform + "/cpu/")
                        || n.equals("jnilib/pytorch.properties") || n.equals("native/lib/pytorch.properties")
                        || n.startsWith("com/sun/jna/" + jna + "/") || n.startsWith("org/jline/nativ/" + jline + "/")
                        || n.startsWith("ai/onnxruntime/native/" + ort + "/") && !n.contains(".dSYM/") && !n.endsWith(".pdb")
                        || n.matches("nu/pattern/opencv/" + opencv + "/(lib)?opencv_java490\\.(so|dylib|dll)"))
                .as(n).isTrue());
        assertThat(natives).anyMatch(n -> n.startsWith("nu/pattern/opencv/" + opencv + "/"));
        assertThat(natives).anyMatch(n -> n.startsWith("pytorch/cpu/" + platform + "/libtorch_cpu")
                || n.startsWith("pytorch/cpu/" + platform + "/torch_cpu"));
        assertThat(natives).anyMatch(n -> n.startsWith("jnilib/" + platform + "/cpu/"));
        assertThat(natives).anyMatch(n -> n.matches("ai/onnxruntime/native/" + ort + "/(lib)?onnxruntime\\.(so|dylib|dll)"));
        Properties p = new Properties();
        p.load(new java.io.StringReader(text(jar, "native/lib/pytorch.properties")));
        assertThat(p.getProperty("classifier")).isEqualTo(platform);
        assertThat(p.getProperty("flavor")).isEqualTo("cpu");
        for (String notice : List.of("META-INF/LICENSE", "META-INF/NOTICE", "META-INF/THIRD-PARTY.txt",
                "META-INF/licenses/PyTorch-LICENSE.txt", "META-INF/licenses/LGPL-2.1.txt",
                "META-INF/licenses/ONNXRuntime-MIT.txt", "ThirdPartyNotices.txt",
                "META-INF/licenses/OpenCV-third-party.txt")) {
            assertThat(names).as(jar.getFileName() + " carries " + notice).contains(notice);
        }
        String version = text(jar, "dev/captioner/version.properties");
        assertThat(version).contains("platform=" + platform).contains("pytorch=2.7.1").contains("djl=0.36.0");
    }

    @Test
    void thisPlatformsJarHoldsOnlyItsNativeLibrariesCarriesItsLicensesAndRuns() throws Exception {
        assertThat(CLI_JAR).exists();
        holdsOnlyItsPlatform(CLI_JAR, HOST);
        assertThat(text(CLI_JAR, "META-INF/NOTICE").replaceAll("\\s+", " ")).contains("captioner").contains("libgomp")
                .contains("GCC Runtime Library Exception").contains("JFreeChart: LGPL-2.1-or-later")
                .contains("based in part on the work of the Independent JPEG Group");
        assertThat(text(CLI_JAR, "META-INF/THIRD-PARTY.txt")).contains("(LGPL-2.1-or-later) JFreeChart")
                .contains("ai.djl.pytorch:pytorch-native-cpu:2.7.1").contains("(Apache-2.0) OpenPnP OpenCV")
                .doesNotContain("junit");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                CLI_JAR.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("captioner " + VERSION + " (commit ")
                .contains("DJL 0.36.0, PyTorch 2.7.1 (CPU, " + HOST + ")");
        System.out.printf(Locale.ROOT, "platform jar %s: %.1f MB%n", HOST, Files.size(CLI_JAR) / 1e6);
    }

    /**
     * The CLI jar's server, with Jetty's Servlet API relocated inside the jar: it starts, serves
     * its page with the security headers, and captions an upload.
     */
    @Test
    void theCliJarServesItsPageAndCaptions(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        dev.captioner.testutil.TinyPipeline tiny = dev.captioner.testutil.TinyPipeline.build(tmp);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                CLI_JAR.toString(), "serve", "--model", tiny.model().toString(), "--port", "0")
                .redirectErrorStream(true).start();
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            String base = null;
            while ((line = lines.readLine()) != null) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("listening on (http://\\S+/)").matcher(line);
                if (m.find()) {
                    base = m.group(1);
                }
                if (line.startsWith("model loaded")) {
                    break;
                }
            }
            assertThat(base).as("the server's address").isNotNull();
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpResponse<String> page = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>captioner</title>");
            assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
            Path image;
            try (Stream<Path> files = Files.list(tiny.data().resolve("Flicker8k_Dataset"))) {
                image = files.sorted().findFirst().orElseThrow();
            }
            java.net.http.HttpResponse<String> caption = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "api/caption")).header("Content-Type", "image/jpeg")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofFile(image)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(caption.statusCode()).as(caption.body()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(caption.body()).has("caption")).isTrue();
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyOtherDesktopPlatformsJarHoldsThatPlatformsLibraries() throws Exception {
        Path target = CLI_JAR.getParent();
        for (String platform : PLATFORMS.keySet().stream().sorted().toList()) {
            if (platform.equals(HOST)) {
                continue;
            }
            Path dir = target.resolve("platforms").resolve(platform);
            List<String> command = new ArrayList<>(List.of(Maven.command(), "-B", "-q", "-DskipTests", "-Dplatform=" + platform,
                    "-Dcaptioner.buildDir=" + dir, "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"),
                    "package"));
            Path log = target.resolve("platforms").resolve(platform + ".log");
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(command).directory(target.getParent().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("maven for " + platform).isTrue();
            assertThat(p.exitValue()).as("build for " + platform + "; see " + log).isZero();
            Path jar;
            try (Stream<Path> s = Files.list(dir)) {
                jar = s.filter(f -> f.getFileName().toString().endsWith("-cli-" + platform + ".jar")).findFirst()
                        .orElseThrow();
            }
            holdsOnlyItsPlatform(jar, platform);
            System.out.printf(Locale.ROOT, "platform jar %s: %.1f MB%n", platform, Files.size(jar) / 1e6);
        }
    }

    @Test
    void theLibraryJarBundlesNothingAndTheSbomListsWhatTheCliJarDoes() throws Exception {
        Path target = CLI_JAR.getParent();
        Path library = target.resolve("captioner.jar");
        List<String> names = entries(library);
        assertThat(names).contains("dev/captioner/Captioner.class", "META-INF/LICENSE", "META-INF/NOTICE")
                .noneMatch(n -> n.startsWith("ai/djl/") || n.startsWith("pytorch/") || n.startsWith("picocli/")
                        || n.startsWith("nu/pattern/"));
        JsonNode bom = new ObjectMapper().readTree(target.resolve("bom.json").toFile());
        assertThat(bom.get("bomFormat").asText()).isEqualTo("CycloneDX");
        List<String> components = new ArrayList<>();
        bom.get("components").forEach(c -> components.add(c.get("group").asText() + ":" + c.get("name").asText() + ":"
                + c.get("version").asText()));
        assertThat(components).contains("ai.djl:api:0.36.0", "ai.djl.pytorch:pytorch-native-cpu:2.7.1",
                "org.jfree:jfreechart:1.5.6").noneMatch(c -> c.contains("junit") || c.contains("selenium"));
        assertThat(bom.get("metadata").get("component").get("name").asText()).isEqualTo("captioner");
    }

    /**
     * A project with captioner's license configuration (copied from pom.xml) and a dependency
     * whose POM says GPL-3.0-only, or says nothing: the build must fail.
     */
    @Test
    void theReleaseCheckRefusesGplOnlyAndUnknownLicenses() throws Exception {
        Path target = CLI_JAR.getParent();
        Path dir = Files.createDirectories(target.resolve("license-check"));
        String pom = Files.readString(target.getParent().resolve("pom.xml"));
        int start = pom.indexOf("<plugin>\n        <!-- The list of every bundled library");
        String plugin = pom.substring(start, pom.indexOf("</plugin>", start) + "</plugin>".length())
                .replace("${project.build.directory}", dir.toString())
                .replace("${project.baseUri}", target.getParent().toUri().toString());
        // The fakes live in a file repository of their own (POM and jar at their Maven paths), so the
        // nested offline build needs no plugin beyond the license plugin the outer build ran: an
        // install:install-file here needed maven-install-plugin's dependencies, which a fresh
        // machine's repository does not have.
        Path repo = dir.resolve("repo");
        for (String license : List.of("<licenses><license><name>GNU General Public License v3.0 only</name></license></licenses>",
                "")) {
            String id = license.isEmpty() ? "no-license" : "gpl-only";
            String artifact = id + "-fake";
            Path folder = Files.createDirectories(repo.resolve("dev/captioner/test").resolve(artifact).resolve("1"));
            Files.writeString(folder.resolve(artifact + "-1.pom"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">"
                    + "<modelVersion>4.0.0</modelVersion><groupId>dev.captioner.test</groupId><artifactId>" + artifact
                    + "</artifactId><version>1</version>" + license + "</project>");
            try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(
                    Files.newOutputStream(folder.resolve(artifact + "-1.jar")))) {
                z.putNextEntry(new ZipEntry("fake.txt"));
                z.write(id.getBytes(StandardCharsets.UTF_8));
            }
            Files.writeString(dir.resolve("pom.xml"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">"
                    + "<modelVersion>4.0.0</modelVersion><groupId>x</groupId><artifactId>check</artifactId><version>1</version>"
                    + "<repositories><repository><id>fakes</id><url>" + repo.toUri() + "</url></repository></repositories>"
                    + "<dependencies><dependency><groupId>dev.captioner.test</groupId><artifactId>" + artifact + "</artifactId>"
                    + "<version>1</version></dependency></dependencies>"
                    + "<build><plugins>" + plugin + "</plugins></build></project>");
            Path log = dir.resolve(id + ".log");
            assertThat(mvn(dir, log, "generate-resources")).as("a build with a " + id + " dependency").isNotZero();
            // It failed for the license, not because something could not be resolved offline.
            assertThat(Files.readString(log)).containsAnyOf("forbidden licenses", "no license")
                    .doesNotContain("Could not resolve").doesNotContain("offline mode");
        }
    }

    private static int mvn(Path dir, Path log, String... args) throws Exception {
        // Offline, but file: repositories are still read (Maven's resolver blocks every protocol
        // offline unless told otherwise).
        List<String> command = new ArrayList<>(List.of(Maven.command(), "-B", "-o", "-Daether.offline.protocols=file",
                "-Dmaven.repo.local=" + System.getProperty("maven.repo.local")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return p.exitValue();
    }
}
