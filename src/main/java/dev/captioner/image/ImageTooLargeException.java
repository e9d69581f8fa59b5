package dev.captioner.image;

import dev.captioner.util.CaptionerException;

/** An image refused from its header for having more pixels than allowed. */
public final class ImageTooLargeException extends CaptionerException {

    /** @param message one line naming the image, its size and the limit */
    public ImageTooLargeException(String message) {
        super(message);
    }
}
