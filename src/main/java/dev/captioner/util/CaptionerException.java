package dev.captioner.util;

/**
 * An error caused by the user's input or a failed job, with a message fit to print on one line
 * (it names the file, the line or the field at fault). The CLI prints it as {@code error: ...}
 * and exits with status 1, without a stack trace unless {@code --debug} is given.
 */
public class CaptionerException extends RuntimeException {

    /**
     * @param message one line saying what is wrong and where
     */
    public CaptionerException(String message) {
        super(message);
    }

    /**
     * @param message one line saying what is wrong and where
     * @param cause the underlying error, shown with {@code --debug}
     */
    public CaptionerException(String message, Throwable cause) {
        super(message, cause);
    }
}
