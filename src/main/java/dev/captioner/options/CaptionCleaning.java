package dev.captioner.options;

import dev.captioner.data.Cleaning;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --cleaning}: how captions become words, declared here once for every command that
 * cleans captions. {@code seed}, the old name of {@code keras-tutorial}, is accepted with a
 * warning for one release.
 */
public final class CaptionCleaning {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private Cleaning cleaning = Cleaning.KERAS_TUTORIAL;

    @Option(names = "--cleaning", defaultValue = "keras-tutorial", paramLabel = "C",
            description = "Caption cleaning: keras-tutorial (drop one-letter words, as the Keras tutorial) or keep-short "
                    + "(default: ${DEFAULT-VALUE}).")
    void cleaning(String name) {
        try {
            cleaning = Cleaning.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), "--cleaning: " + e.getMessage());
        }
        if (Cleaning.DEPRECATED_KERAS_TUTORIAL.equalsIgnoreCase(name.trim())) {
            mixee.commandLine().getErr().println("warning: --cleaning seed is now called keras-tutorial; the old name "
                    + "will be removed in the next release");
        }
    }

    /** @return the cleaning */
    public Cleaning cleaning() {
        return cleaning;
    }
}
