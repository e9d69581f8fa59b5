package dev.captioner.util;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 bytes to a {@link Writer}, so that code which logs to a {@link java.io.PrintStream} can
 * write to a command's error writer (picocli's {@code getErr()}), which tests capture. A
 * character split across two writes is decoded once both halves have arrived. Closing the stream
 * flushes it but leaves the writer open.
 */
public final class WriterOutputStream extends OutputStream {

    private final Writer writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer bytes = ByteBuffer.allocate(4096);
    private final CharBuffer chars = CharBuffer.allocate(4096);

    /** @param writer where the decoded text goes */
    public WriterOutputStream(Writer writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, bytes.remaining());
            bytes.put(b, off, n);
            off += n;
            len -= n;
            decode();
        }
    }

    private void decode() throws IOException {
        bytes.flip();
        CoderResult result;
        do {
            result = decoder.decode(bytes, chars, false);
            chars.flip();
            writer.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
            chars.clear();
        } while (result.isOverflow());
        // An incomplete character stays for the next write.
        bytes.compact();
    }

    @Override
    public synchronized void flush() throws IOException {
        decode();
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
