// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.BackpressureTimeoutException;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusException;
import dev.ipcbus.BusUri;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.Topics;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;
import dev.ipcbus.registry.NodeRegistry;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import io.netty.buffer.ByteBuf;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.ipcbus.frame.FrameDescriptor.TYPE_PUBLISH;

/**
 * The sending side of a node: encodes a frame once, finds its targets in the current routing snapshot, and offers it
 * to each through their outlets ({@link Outlets}), waiting on a full inbox up to the publish timeout. A target whose
 * inbox is gone is retried while it is alive ({@link OutletRetry}) and skipped once it is dead.
 * <p>
 * Per sending thread: one {@link OutgoingFrame} (found by an identity check on the last sender before the
 * thread-local), and the last topic it used; per topic: one {@link OutgoingTopic}. Steady-state sending allocates
 * nothing and takes no lock.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class Sender {
    /** Topics whose sending state is kept; beyond this, it is built per call (bounded memory with many topics). */
    private static final int MAX_CACHED_TOPICS = 4096;

    private final long nodeId;
    private final String nodeHex;
    private final BusUri uri;
    private final JsonCodec codec;
    private final long publishTimeoutNanos;
    private final CoreOptions options;
    private final NodeRegistry registry;
    private final Transport transport;
    private final int maxFrameLength;
    private final CounterFile counters;
    private final TrafficCounters traffic;
    private final AtomicBoolean closed;
    private final Outlets outlets;
    private final ConcurrentHashMap<String, OutgoingTopic> outgoingTopics = new ConcurrentHashMap<>();
    /** Each sending thread's frame and traffic cell for this node. */
    private final ThreadLocal<OutgoingFrame> outgoing = ThreadLocal.withInitial(this::newOutgoingFrame);
    /**
     * The frame of the thread that sent last: a thread sending again finds its own by one field read and an identity
     * check instead of a thread-local look-up. Racy by design: any thread's frame may be seen here, and a thread uses
     * it only if {@link OutgoingFrame#owner()} (a final field) is itself.
     */
    private OutgoingFrame lastOutgoing;
    private final Routes routes;

    /**
     * @param node    the node's parts.
     * @param codec   encodes JSON payloads.
     * @param options the core options.
     * @param closed  the node's closed flag.
     */
    Sender(final NodeAssembly node, final JsonCodec codec, final CoreOptions options, final AtomicBoolean closed) {
        this.nodeId = node.nodeId();
        this.nodeHex = node.nodeHex();
        this.uri = node.uri();
        this.codec = codec;
        this.options = options;
        this.publishTimeoutNanos = options.publishTimeoutNanos();
        this.registry = node.registry();
        this.transport = node.transport();
        this.maxFrameLength = transport.maxFrameLength();
        this.counters = node.counters();
        this.traffic = node.traffic();
        this.closed = closed;
        this.outlets = new Outlets(transport, closed);
        this.routes = new Routes(registry, uri.scheme(), outlets);
    }

    /**
     * Publishes a message encoded by the codec.
     *
     * @param topic   the topic, validated here.
     * @param message the message.
     * @param headers the headers.
     */
    void publish(final String topic, final Object message, final Map<String, String> headers) {
        final OutgoingTopic outgoingTopic = outgoingTopic(topic);
        final byte[] topicUtf8 = outgoingTopic.utf8();
        checkOpen();
        final RoutingTable.Peer[] targets = outgoingTopic.subscribers(routes.current());
        if (targets.length == 0) {
            return;
        }
        final OutgoingFrame frame = acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            FrameEncoder.begin(buffer, TYPE_PUBLISH, 0, codec.contentType(), nodeId, 0, 0, options.timestamp(),
                topicUtf8, headers);
            codec.encode(message, buffer, topic);
            frame.encodedIn();
            deliver(targets, frame, frame.frameLength(), topic);
        } finally {
            frame.release();
        }
    }

    /**
     * Publishes raw bytes: the frame is written in place where the outlet allows, else encoded once.
     *
     * @param topic   the topic, validated here (once per thread and topic).
     * @param payload the payload, borrowed.
     */
    void publishRaw(final String topic, final ByteBuf payload) {
        final OutgoingFrame frame = acquireFrame();
        try {
            OutgoingTopic outgoingTopic = frame.lastTopic(topic);
            if (outgoingTopic == null) {
                outgoingTopic = outgoingTopic(topic);
                frame.lastTopic(topic, outgoingTopic);
            }
            checkOpen();
            final RoutingTable.Peer[] targets = outgoingTopic.subscribers(routes.current());
            if (targets.length == 0) {
                return;
            }
            final long frameLength = frame.rawPublish(outgoingTopic, options.timestamp(), payload);
            deliver(targets, frame, frameLength, topic);
        } finally {
            frame.release();
        }
    }

    /**
     * @param topic a topic.
     * @return its UTF-8 bytes, validated.
     * @throws IllegalArgumentException if the topic is invalid.
     */
    byte[] topicBytes(final String topic) {
        return outgoingTopic(topic).utf8();
    }

    private OutgoingTopic outgoingTopic(final String topic) {
        final OutgoingTopic cached = topic == null ? null : outgoingTopics.get(topic);
        if (cached != null) {
            return cached;
        }
        final OutgoingTopic created = new OutgoingTopic(topic, Topics.validateTopic(topic), nodeId,
            options.timestamps());
        if (outgoingTopics.size() < MAX_CACHED_TOPICS) {
            outgoingTopics.put(topic, created);
        }
        return created;
    }

    private OutgoingFrame newOutgoingFrame() {
        return new OutgoingFrame(traffic.newSender(), false);
    }

    /**
     * @return the calling thread's frame, or a temporary one for a send nested in another on this thread; the caller
     * gives it back with {@link OutgoingFrame#release()}.
     */
    OutgoingFrame acquireFrame() {
        final Thread thread = Thread.currentThread();
        OutgoingFrame frame = lastOutgoing;
        if (frame == null || frame.owner() != thread) {
            frame = outgoing.get();
            lastOutgoing = frame;
        }
        if (frame.acquire()) {
            return frame;
        }
        final OutgoingFrame nested = new OutgoingFrame(frame.traffic(), true);
        nested.acquire();
        return nested;
    }

    /**
     * @param frameLength a frame's length.
     * @throws MessageTooLargeException if the transport cannot carry it.
     */
    void checkSize(final long frameLength) {
        if (frameLength > maxFrameLength) {
            throw new MessageTooLargeException((int)Math.min(frameLength, Integer.MAX_VALUE), maxFrameLength,
                uri.scheme());
        }
    }

    /**
     * @param target      a node.
     * @param frameLength a frame's length.
     * @throws MessageTooLargeException if the node's inbox advertises a smaller limit.
     */
    void checkTarget(final RoutingTable.Peer target, final long frameLength) {
        if (target.refuses(frameLength)) {
            throw new MessageTooLargeException((int)Math.min(frameLength, Integer.MAX_VALUE),
                target.record().maxFrameLength(), uri.scheme(), target.toString(), transport.frameLimitOption());
        }
    }

    /**
     * Offers one frame to every target; a target that cannot be reached while alive is an error, raised after the
     * others were served (the first failure, the rest suppressed). A frame larger than any target's inbox accepts is
     * refused before anything is sent: a fan-out is never half delivered for this reason.
     */
    private void deliver(final RoutingTable.Peer[] targets, final OutgoingFrame frame, final long frameLength,
        final String topic) {
        checkSize(frameLength);
        for (final RoutingTable.Peer target : targets) {
            checkTarget(target, frameLength);
        }
        BusException failure = null;
        for (final RoutingTable.Peer target : targets) {
            try {
                send(target, frame, topic);
            } catch (final BusException ex) {
                if (ex instanceof BusClosedException) {
                    throw ex; // closed while sending: the other targets cannot be served either
                }
                if (failure == null) {
                    failure = ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Sends one frame to one node.
     *
     * @param target the node.
     * @param frame  the frame.
     * @param topic  its topic, for messages.
     * @return {@code true} if delivered; {@code false} if the node is dead (it was reclaimed).
     * @throws BackpressureTimeoutException if its inbox stayed full.
     * @throws BusClosedException           if this node is closed, or closes while sending.
     * @throws BusException                 if it is alive but unreachable.
     */
    boolean send(final RoutingTable.Peer target, final OutgoingFrame frame, final String topic) {
        try {
            checkOpen();
            final Outlet cached = target.outlet();
            if (cached != null && offer(cached, target, frame, topic) == Outlet.SENT) {
                return true;
            }
            return reopenAndSend(target, frame, topic, cached);
        } catch (final IllegalStateException ex) {
            if (closed.get()) {
                // The transport refuses use once close() closed it: a send that raced close().
                throw closedWhileSending(topic, ex);
            }
            throw ex;
        }
    }

    /** @return {@link Outlet#SENT} (counted), or the status saying the inbox is gone. */
    private int offer(final Outlet outlet, final RoutingTable.Peer target, final OutgoingFrame frame,
        final String topic) {
        final int status = frame.isRaw() && outlet.writesInPlace()
            ? outlet.offer(frame, frame.frameLength(), publishTimeoutNanos)
            : outlet.offer(frame.encoded(), publishTimeoutNanos);
        if (status == Outlet.SENT) {
            frame.traffic().add(frame.frameLength());
        } else if (status == Outlet.BACK_PRESSURED) {
            counters.add(NodeCounters.BACKPRESSURE_TIMEOUTS, 1);
            throw new BackpressureTimeoutException(target.toString(),
                TimeUnit.NANOSECONDS.toMillis(publishTimeoutNanos), topic);
        }
        return status;
    }

    /**
     * The slow path of {@link #send}: the node has no outlet yet, or {@code gone} (its outlet) reported its inbox
     * gone. Opens an outlet and offers again for as long as {@link OutletRetry} allows.
     */
    private boolean reopenAndSend(final RoutingTable.Peer target, final OutgoingFrame frame, final String topic,
        final Outlet gone) {
        Outlet outlet = gone;
        OutletRetry retry = null;
        while (true) {
            if (outlet != null) {
                outlets.drop(target, outlet);
                if (closed.get()) {
                    throw closedWhileSending(topic, null);
                }
                retry = retry != null ? retry : newRetry(target, topic);
                if (!retry.awaitRetry(null)) {
                    return false;
                }
            }
            checkOpen();
            try {
                outlet = outlets.of(target);
            } catch (final InboxUnavailableException ex) {
                retry = retry != null ? retry : newRetry(target, topic);
                if (!retry.awaitRetry(ex)) {
                    return false;
                }
                outlet = null;
                continue;
            } catch (final BusClosedException ex) {
                throw ex;
            } catch (final BusException ex) {
                if (!registry.isAlive(target.nodeId())) {
                    return false;
                }
                throw new BusException("cannot reach node: node=" + target + ", topic=" + topic + ", transport="
                    + uri.scheme() + ", error=" + ex.getMessage(), ex);
            }
            if (outlet == null) {
                throw closedWhileSending(topic, null);
            }
            if (offer(outlet, target, frame, topic) == Outlet.SENT) {
                return true;
            }
        }
    }

    private OutletRetry newRetry(final RoutingTable.Peer target, final String topic) {
        return new OutletRetry(registry, target.nodeId(), target.toString(), topic, uri.scheme(), publishTimeoutNanos);
    }

    private BusClosedException closedWhileSending(final String topic, final RuntimeException cause) {
        return new BusClosedException("bus closed while sending: node=" + nodeHex + ", topic=" + topic, cause);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw AbstractBus.closedException(nodeHex, uri);
        }
    }

    /** @return the outlets, for the node's reclaim and close. */
    Outlets outlets() {
        return outlets;
    }

    /** @return the routing snapshots. */
    Routes routes() {
        return routes;
    }
}
