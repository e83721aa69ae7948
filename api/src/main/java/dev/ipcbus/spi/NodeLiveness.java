package dev.ipcbus.spi;

/**
 * Answers whether a node is alive, from the registry's OS lock (released by the OS when a process dies, held through
 * a pause such as {@code SIGSTOP} or a long GC).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
@FunctionalInterface
public interface NodeLiveness {
    /**
     * @param nodeId the node.
     * @return {@code false} only if the node is known to be dead or unregistered; a live or paused node is alive.
     */
    boolean isAlive(long nodeId);
}
