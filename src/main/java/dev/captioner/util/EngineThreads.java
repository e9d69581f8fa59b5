package dev.captioner.util;

/**
 * The one place that sets how many threads a deep-learning engine's operation may use, for the
 * whole process. An application that owns its process (the command line, a Spark executor, the
 * server) calls {@link #manage()} once; from then on each stage says how many networks it runs at
 * once ({@link #share}) and every operation gets an equal share of the cores, so parallel
 * workers do not oversubscribe them. A program that embeds captioner and never calls
 * {@link #manage()} keeps the engine's setting as it made it.
 */
public final class EngineThreads {

    private static volatile boolean managed;

    private EngineThreads() {}

    /** Lets captioner size the engines' threads to the cores from now on. */
    public static void manage() {
        managed = true;
    }

    /** @return whether {@link #manage()} was called */
    public static boolean managed() {
        return managed;
    }

    /**
     * A stage is about to run {@code workers} networks at once: each operation gets
     * {@code cores / workers} threads (at least one). Does nothing unless the process is managed.
     *
     * @param workers networks running at the same time, at least 1
     */
    public static void share(int workers) {
        if (managed) {
            set(perWorker(workers));
        }
    }

    /**
     * @param workers networks running at the same time
     * @return the threads each operation gets when they share the cores
     */
    public static int perWorker(int workers) {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, workers));
    }

    /**
     * Sets the threads per operation whatever the process's policy: what benchmarks and tests use.
     *
     * @param threads intra-op threads, at least 1
     */
    public static void set(int threads) {
        Torch.intraOpThreads(threads);
    }

    /** @return the threads per operation now in use */
    public static int current() {
        return Torch.intraOpThreads();
    }
}
