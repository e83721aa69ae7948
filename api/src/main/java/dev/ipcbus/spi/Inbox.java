package dev.ipcbus.spi;

/**
 * A node's receiving end: any node may write to it, only its owner reads it.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface Inbox extends AutoCloseable {
    /**
     * @return the transport-specific address other nodes pass to {@link Transport#openOutlet(long, String)}, e.g. a
     * shared-memory name or a socket path. Published in the registry.
     */
    String address();

    /**
     * Stops delivery and removes the OS object (socket file, shared memory). After it returns the listener is not
     * called again, unless {@code close} was called from the listener itself. Idempotent.
     */
    @Override
    void close();
}
