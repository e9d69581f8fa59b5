package dev.captioner.options;

import picocli.CommandLine.Option;

/** {@code --resume}: continue an unfinished training run, for every command that trains. */
public final class ResumeRun {

    @Option(names = "--resume", description = "Continue the unfinished run in --out from its last finished epoch.")
    boolean resume;

    /** @return whether to continue the unfinished run */
    public boolean resume() {
        return resume;
    }
}
