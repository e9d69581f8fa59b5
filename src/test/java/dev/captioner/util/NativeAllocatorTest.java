package dev.captioner.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {

    private static final long BLOCK = 40L << 20;
    /** Over half of a 64 MiB per-thread heap, so two never share one. */
    private static final long HEAP_BLOCK = 36L << 20;

    /**
     * A freed 40 MiB block (above glibc's largest dynamic mmap threshold, so unmapped on free by
     * default) is reused without faulting its pages in again once the allocator is tuned.
     */
    @Test
    void freedBlocksAreReusedWithoutPageFaults() throws IOException {
        assumeTunable();
        assertThat(NativeAllocator.tune()).as("idempotent").isEqualTo("tuned");

        long pages = BLOCK / 4096;
        long first = faultsOfOneBlock();
        assertThat(first).as("a new block is faulted in").isGreaterThan(pages / 2);
        long second = faultsOfOneBlock();
        long third = faultsOfOneBlock();
        assertThat(second + third).as("the freed block is reused").isLessThan(pages / 20);
    }

    /**
     * In a thread other than the process's first (every Java thread: each gets one of glibc's
     * per-thread arenas, made of 64 MiB heaps), a block too large for the arena's current heap gets
     * a heap of its own, which glibc deletes on free unless the top pad keeps it; training met
     * this several times per step. After tuning, the second and third such block fault (almost)
     * nothing in.
     */
    @Test
    void blocksInAThreadsExtraHeapsAreReusedWithoutPageFaults() throws Exception {
        assumeTunable();
        long[] faults = new long[3];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(() -> {
            // Fills most of whichever heap it lands in, so the blocks below need another heap.
            long filler = Native.malloc(HEAP_BLOCK);
            try {
                for (int i = 0; i < faults.length; i++) {
                    faults[i] = faultsOfOneBlock(HEAP_BLOCK);
                }
            } catch (Throwable e) {
                failure[0] = e;
            } finally {
                Native.free(filler);
            }
        });
        worker.start();
        worker.join();
        assertThat(failure[0]).isNull();
        assertThat(faults[1] + faults[2]).as("faults of the 2nd and 3rd block: %s", java.util.Arrays.toString(faults))
                .isLessThan(HEAP_BLOCK / 4096 / 20);
    }

    /** Skips where the tuning is not done or page faults cannot show it; otherwise tunes. */
    private static void assumeTunable() throws IOException {
        assumeTrue(Platform.isLinux());
        for (String variable : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
            "GLIBC_TUNABLES"}) {
            assumeTrue(System.getenv(variable) == null, variable + " is set");
        }
        assumeTrue(!Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).contains("[always]"),
                "with transparent huge pages always on, a fresh mapping faults too rarely to tell");
        assertThat(NativeAllocator.tune()).isEqualTo("tuned");
    }

    private static long faultsOfOneBlock() throws IOException {
        return faultsOfOneBlock(BLOCK);
    }

    private static long faultsOfOneBlock(long size) throws IOException {
        long before = minorFaults();
        long address = Native.malloc(size);
        assertThat(address).isNotZero();
        try {
            new Pointer(address).setMemory(0, size, (byte) 1);
        } finally {
            Native.free(address);
        }
        return minorFaults() - before;
    }

    /** @return minor page faults of the calling thread ({@code minflt}, field 10 of its stat) */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
