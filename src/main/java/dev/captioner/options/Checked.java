package dev.captioner.options;

import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Builds a settings record from a command's options, for the command line and the Spark
 * application alike. The records (and the option mixins' accessors) validate themselves with
 * {@link IllegalArgumentException}; here that is a wrong command line (exit status 2 with the
 * usage hint), so that an {@code IllegalArgumentException} from anywhere else can be reported as
 * the internal error it is.
 */
public final class Checked {

    private Checked() {}

    /**
     * @param spec the running command
     * @param build builds the settings from its options
     * @param <T> the settings type
     * @return the settings
     * @throws ParameterException with the record's message if it refuses a value
     */
    public static <T> T of(CommandSpec spec, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
