package dev.captioner.model;

/**
 * The settings that belong to one architecture, as that architecture's own record: the
 * attention LSTM's {@link ModelSpec.AttentionSpec}, the transformer's
 * {@link ModelSpec.TransformerSpec}, {@link None} for the LSTMs that have none. The
 * {@link Architecture} registry says which record each one takes, so a spec or configuration
 * holds exactly one, never a nullable field per architecture.
 */
public interface ArchitectureSettings {

    /**
     * @return the key the settings are saved under in a model's {@code config.json}
     *     ({@code attention}, {@code transformer}), or null for settings that are not saved
     */
    String key();

    /** No settings of its own: the merge and init-inject LSTMs. */
    record None() implements ArchitectureSettings {
        /** The one instance. */
        public static final None INSTANCE = new None();

        @Override
        public String key() {
            return null;
        }
    }
}
