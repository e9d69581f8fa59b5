package dev.captioner.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Maven that runs the build, for tests that run a nested build. */
public final class Maven {

    private Maven() {}

    /** @return the {@code mvn} of {@code maven.home} if the build passed it, else {@code mvn} on the path */
    public static String command() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }
}
