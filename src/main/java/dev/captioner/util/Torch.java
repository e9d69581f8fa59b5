package dev.captioner.util;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** Process-wide settings of the PyTorch engine. */
public final class Torch {

    private Torch() {}

    /**
     * Sets how many threads one PyTorch operation may use. With several Java threads each
     * running a network, one thread per operation avoids oversubscribing the cores.
     *
     * @param threads intra-op threads, at least 1
     */
    public static void intraOpThreads(int threads) {
        Engine.getInstance(); // loads the native library before the JNI call
        JniUtils.setNumThreads(Math.max(1, threads));
    }

    /** @return intra-op threads now in use */
    public static int intraOpThreads() {
        Engine.getInstance();
        return JniUtils.getNumThreads();
    }

    /**
     * Turns autograd recording off for the calling thread (PyTorch's grad mode is per thread and
     * on by default in threads DJL did not start), so inference builds no graph.
     */
    public static void noGrad() {
        Engine.getInstance();
        if (JniUtils.isGradMode()) {
            JniUtils.setGradMode(false);
        }
    }
}
