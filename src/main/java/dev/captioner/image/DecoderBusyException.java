package dev.captioner.image;

import dev.captioner.util.CaptionerException;

/**
 * An image that could not be decoded now because the {@link MemoryBudget} stayed full: other
 * large images were being decoded. Trying again later may succeed (a server answers 503).
 */
public final class DecoderBusyException extends CaptionerException {

    /** @param message one line naming the image */
    public DecoderBusyException(String message) {
        super(message);
    }
}
