package dev.captioner.util;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps glibc's allocator from returning PyTorch's activation buffers to the kernel after every
 * operation.
 *
 * <p>PyTorch's CPU allocator is plain {@code malloc}/{@code free}. glibc serves every block above
 * its mmap threshold (128 KiB, rising to at most 32 MiB as blocks are freed) with a fresh
 * {@code mmap} and unmaps it on {@code free}, and trims the heap's top above 128 KiB; the next
 * step then page-faults the same megabytes in again. Training the concepts encoder (batch 32 at
 * 64 px) spent over half its time that way: 7.7 M page faults and 104 s for 12 epochs, against
 * 1.7 M and 42 s with both thresholds at 1 GiB (measured in the 2-core development VM, glibc
 * 2.36). This class sets those two thresholds once per process through {@code mallopt}, the
 * run-time equivalent of {@code MALLOC_MMAP_THRESHOLD_} and {@code MALLOC_TRIM_THRESHOLD_}.
 *
 * <p>Every Java thread allocates from one of glibc's per-thread arenas, which grow in heaps of
 * at most 64 MiB; a block that does not fit the current heap gets a new one, and glibc deletes
 * a heap as soon as it is empty again whatever the trim threshold, unless its top pad is larger
 * than the heap could hold. Merge training met that several times per step (431 heaps mapped
 * and unmapped in 60 steps, each faulting its pages in again), so the top pad is set to 64 MiB
 * too ({@code MALLOC_TOP_PAD_}). Freed memory then stays in the process for reuse, so the
 * resident size stays near its peak instead of shrinking between steps.
 *
 * <p>It does nothing off glibc Linux, when the user set any of those variables or
 * {@code GLIBC_TUNABLES} (their choice wins), or when the system property
 * {@code captioner.malloc} is {@code default}.
 */
public final class NativeAllocator {

    /** Both thresholds, in bytes: blocks up to 1 GiB come from (and go back to) the heap. */
    static final int THRESHOLD = 1 << 30;

    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;

    /** The top pad, in bytes: as large as a per-thread heap, so that no emptied heap is deleted. */
    static final int TOP_PAD = 64 << 20;

    private static final AtomicReference<String> STATE = new AtomicReference<>();

    /** glibc's allocator entry points used here. */
    interface CLibrary extends Library {
        int mallopt(int param, int value);
    }

    private NativeAllocator() {}

    /**
     * Sets glibc's mmap and trim thresholds and its top pad for this process, once; later calls
     * return the first call's outcome.
     *
     * @return what was done, for logs: {@code "tuned"}, or why not
     */
    public static String tune() {
        String done = STATE.get();
        if (done != null) {
            return done;
        }
        String outcome = apply();
        return STATE.compareAndExchange(null, outcome) == null ? outcome : STATE.get();
    }

    private static String apply() {
        if (!Platform.isLinux()) {
            return "not Linux";
        }
        if ("default".equals(System.getProperty("captioner.malloc"))) {
            return "left as is (captioner.malloc=default)";
        }
        for (String variable : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
            "GLIBC_TUNABLES"}) {
            if (System.getenv(variable) != null) {
                return "left as is (" + variable + " is set)";
            }
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            // mallopt returns 1 on success; musl and other C libraries without these options return 0.
            if (c.mallopt(M_MMAP_THRESHOLD, THRESHOLD) != 1 || c.mallopt(M_TRIM_THRESHOLD, THRESHOLD) != 1
                    || c.mallopt(M_TOP_PAD, TOP_PAD) != 1) {
                return "not supported by this C library";
            }
            return "tuned";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "not available: " + e.getMessage();
        }
    }
}
