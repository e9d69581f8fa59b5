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

    /**
     * A freed 40 MiB block (above glibc's largest dynamic mmap threshold, so unmapped on free by
     * default) is reused without faulting its pages in again once the allocator is tuned.
     */
    @Test
    void freedBlocksAreReusedWithoutPageFaults() throws IOException {
        assumeTrue(Platform.isLinux() && System.getenv("MALLOC_MMAP_THRESHOLD_") == null
                && System.getenv("MALLOC_TRIM_THRESHOLD_") == null && System.getenv("GLIBC_TUNABLES") == null);
        assumeTrue(!Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).contains("[always]"),
                "with transparent huge pages always on, a fresh mapping faults too rarely to tell");
        assertThat(NativeAllocator.tune()).isEqualTo("tuned");
        assertThat(NativeAllocator.tune()).as("idempotent").isEqualTo("tuned");

        long pages = BLOCK / 4096;
        long first = faultsOfOneBlock();
        assertThat(first).as("a new block is faulted in").isGreaterThan(pages / 2);
        long second = faultsOfOneBlock();
        long third = faultsOfOneBlock();
        assertThat(second + third).as("the freed block is reused").isLessThan(pages / 20);
    }

    private static long faultsOfOneBlock() throws IOException {
        long before = minorFaults();
        long address = Native.malloc(BLOCK);
        assertThat(address).isNotZero();
        try {
            new Pointer(address).setMemory(0, BLOCK, (byte) 1);
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
