// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import java.io.IOException;

/**
 * What differs per OS under the pipe transport: naming an inbox, creating its server object, accepting and reading
 * writer connections, connecting to another inbox, and removing what a dead node left. Everything else (threads,
 * hello slots, the delivery lock, closing, counters, reports) is {@link PipeInbox}'s and {@link PipeTransport}'s.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface PipePlatform {
    /**
     * @return the layer's name for messages, e.g. {@code "posix"}.
     */
    String name();

    /**
     * Creates a node's inbox server object: bound and listening when this returns.
     *
     * @param nodeId         the owning node.
     * @param maxFrameLength the largest frame the inbox accepts.
     * @return the server, owned by the caller.
     * @throws dev.ipcbus.BusException if the name is held by a live server (a squatter) or the OS refuses.
     */
    Server listen(long nodeId, int maxFrameLength);

    /**
     * Connects to another node's inbox and sends the {@link PipeHelloDescriptor hello}.
     *
     * @param nodeId         the target node.
     * @param address        its inbox address from the registry.
     * @param maxFrameLength the largest frame this side writes.
     * @param deadlineNanos  when to give up ({@link System#nanoTime()} based) if every instance is busy.
     * @return the open connection.
     * @throws PipeConnectException    if the inbox is gone (refused, no such name) or stayed busy past the deadline.
     * @throws dev.ipcbus.BusException if the address is not one this layer gives that node, or the OS refused.
     */
    PipeConnection connect(long nodeId, String address, int maxFrameLength, long deadlineNanos);

    /**
     * Removes what a dead node's inbox left behind (see {@link dev.ipcbus.spi.Transport#reclaim}).
     *
     * @param nodeId  the dead node.
     * @param address its address from the registry, or {@code null}.
     */
    void reclaim(long nodeId, String address);

    /**
     * One inbox's OS server object: a listening socket, or the listening instance of a named pipe.
     * <p>
     * <b>Thread safety:</b> {@link #accept()} on the inbox's accept thread only; {@link #stop()} from any thread;
     * {@link #close()} on the accept thread once it stopped accepting.
     */
    interface Server {
        /**
         * @return the address other nodes connect to, published in the registry.
         */
        String address();

        /**
         * Waits for the next writer connection.
         *
         * @return the connection, owned by the caller; {@code null} if none was taken (stopped, or a failure that was
         * reported, after a short pause).
         * @throws InterruptedException if interrupted.
         */
        ServerConnection accept() throws InterruptedException;

        /**
         * Makes a blocked or later {@link #accept()} return {@code null} promptly. Idempotent; may be repeated (a
         * stop that raced the accept thread's entry into its blocking call is lost on some OSes).
         */
        void stop();

        /**
         * Frees the server object (and its name). Idempotent.
         */
        void close();
    }

    /**
     * One accepted writer connection, read on its own thread.
     * <p>
     * <b>Thread safety:</b> {@link #cancel()} from any thread; the rest on the connection's reader thread.
     */
    interface ServerConnection {
        /**
         * Waits, until {@code deadlineNanos}, for the start of the writer's hello (a writer sends it as soon as it
         * connects, so it is nearly always there at once).
         *
         * @param deadlineNanos the hello deadline.
         * @param reader        the inbox's side.
         * @return {@code true} if it arrived; {@code false} if the connection ended, the inbox closed, or the
         * deadline passed (then reported through {@link Reader#helloTimedOut}).
         * @throws IOException if reading failed.
         */
        boolean awaitHello(long deadlineNanos, Reader reader) throws IOException;

        /**
         * Reads the hello, then frames until the connection ends or the inbox closes, delivering each whole frame
         * through {@link Reader#deliver}. Garbage ends the connection after {@link Reader#malformed}.
         *
         * @param reader the inbox's side.
         * @throws IOException if reading failed unexpectedly (the inbox reports it and drops the connection).
         */
        void read(Reader reader) throws IOException;

        /**
         * Ends a blocking call of the reader thread. Idempotent; may be repeated until the thread ends.
         */
        void cancel();

        /**
         * Closes the connection; its writer's next write fails. Idempotent.
         */
        void close();
    }

    /**
     * The inbox's side of one connection, given to the OS layer's reading code.
     */
    interface Reader {
        /**
         * @return whether the inbox closed: stop reading.
         */
        boolean isClosed();

        /**
         * @return the owning node, for the hello check.
         */
        long nodeId();

        /**
         * @return the largest frame the inbox accepts.
         */
        int maxFrameLength();

        /**
         * @return the inbox's counters.
         */
        PipeInboxCounters counters();

        /**
         * Delivers frames under the inbox's delivery lock, so listener calls stay serial across connections.
         *
         * @param batch hands each complete frame to the given listener (which counts it and reports listener
         *              failures) and returns its own status.
         * @return the batch's status; {@link RecordAssembler#OK} without running it if the inbox closed.
         */
        int deliver(Batch batch);

        /**
         * Counts and reports a connection that sent garbage; the caller then ends it.
         *
         * @param reason what was wrong, as {@code key=value} text.
         */
        void malformed(String reason);

        /**
         * Reports the first frame beyond the inbox's maximum on this connection (the caller counted it).
         *
         * @param frameLength its length.
         */
        void oversizeFrameDropped(int frameLength);

        /**
         * Counts and reports a connection whose hello did not arrive in time.
         *
         * @param bytesReceived how many bytes of it had arrived.
         */
        void helloTimedOut(int bytesReceived);

        /**
         * Reports an OS failure while reading (the connection ends).
         *
         * @param failure the failure.
         */
        void osError(RuntimeException failure);
    }

    /**
     * Frames delivered under the delivery lock.
     */
    @FunctionalInterface
    interface Batch {
        /**
         * @param listener receives each frame.
         * @return {@link RecordAssembler#OK} or {@link RecordAssembler#MALFORMED}.
         */
        int deliver(dev.ipcbus.spi.FrameListener listener);
    }
}
