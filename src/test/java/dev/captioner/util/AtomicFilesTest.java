package dev.captioner.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.count();
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws Exception {
        Path f = tmp.resolve("a.json");
        AtomicFiles.writeString(f, "old");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(f).hasContent("old");
        assertThat(entries()).isOne();
    }

    @Test
    void aFolderAppearsWholeOrNotAtAll() throws Exception {
        Path done = tmp.resolve("epoch-0001");
        AtomicFiles.writeFolder(done, dir -> {
            Files.writeString(dir.resolve("a"), "1");
            Files.writeString(dir.resolve("b"), "2");
        });
        assertThat(done.resolve("a")).hasContent("1");
        assertThat(done.resolve("b")).hasContent("2");

        Path failed = tmp.resolve("epoch-0002");
        assertThatThrownBy(() -> AtomicFiles.writeFolder(failed, dir -> {
            Files.writeString(dir.resolve("a"), "1");
            throw new IOException("killed half-way");
        })).hasMessageContaining("killed half-way");
        assertThat(failed).doesNotExist();
        assertThat(entries()).as("no temporary folder is left").isOne();
    }

    @Test
    void aFolderNeverReplacesAnExistingOne() throws Exception {
        Path done = tmp.resolve("epoch-0001");
        AtomicFiles.writeFolder(done, dir -> Files.writeString(dir.resolve("a"), "first"));
        assertThatThrownBy(() -> AtomicFiles.writeFolder(done, dir -> Files.writeString(dir.resolve("a"), "second")))
                .isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(done.resolve("a")).hasContent("first");
    }

    @Test
    void temporaryNamesAreRecognised() {
        Path t = AtomicFiles.tempSibling(tmp.resolve("model.params"));
        assertThat(AtomicFiles.isTemporary(t.getFileName().toString())).isTrue();
        assertThat(AtomicFiles.isTemporary("model.params")).isFalse();
        assertThat(t.getParent()).isEqualTo(tmp.toAbsolutePath());
    }

    @Test
    void staleTemporariesOfATargetAreRemovedAndNothingElse() throws Exception {
        Path target = tmp.resolve("features.h5");
        Path a = Files.createFile(AtomicFiles.tempSibling(target));
        Path b = Files.createFile(AtomicFiles.tempSibling(target));
        Path otherTarget = Files.createFile(AtomicFiles.tempSibling(tmp.resolve("features.h5.partial")));
        Path notOurs = Files.createFile(tmp.resolve(".features.h5.keep.tmp"));
        Path real = Files.createFile(tmp.resolve("features.h5"));
        assertThat(AtomicFiles.removeStaleTemporaries(target)).isEqualTo(2);
        assertThat(a).doesNotExist();
        assertThat(b).doesNotExist();
        assertThat(otherTarget).exists();
        assertThat(notOurs).exists();
        assertThat(real).exists();
        assertThat(AtomicFiles.removeStaleTemporaries(target)).isZero();
    }

    @Test
    void writerOutputStreamDecodesCharactersSplitAcrossWrites() throws Exception {
        StringWriter text = new StringWriter();
        byte[] bytes = "café ✓ 𝄞\n".getBytes(StandardCharsets.UTF_8);
        try (WriterOutputStream out = new WriterOutputStream(new PrintWriter(text))) {
            for (byte b : bytes) {
                out.write(b);
            }
        }
        assertThat(text.toString()).isEqualTo("café ✓ 𝄞\n");
    }
}
