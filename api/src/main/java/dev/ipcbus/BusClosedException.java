package dev.ipcbus;

/**
 * The bus was closed while this operation was waiting (a pending request, a blocked publish).
 */
public class BusClosedException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public BusClosedException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public BusClosedException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
