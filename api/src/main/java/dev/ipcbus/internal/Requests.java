// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusException;
import dev.ipcbus.BusUri;
import dev.ipcbus.CodecException;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.ResponderGoneException;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.frame.FrameFlyweight;
import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;
import dev.ipcbus.registry.NodeRegistry;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.TransportOptions;
import io.netty.buffer.ByteBuf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ipcbus.frame.FrameDescriptor.CONTENT_TYPE_JSON;
import static dev.ipcbus.frame.FrameDescriptor.DESTINATION_OFFSET;
import static dev.ipcbus.frame.FrameDescriptor.FLAG_NO_RESPONDER;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_ERROR_REPLY;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_REQUEST;

/**
 * The requesting side of a node: picks a live responder (round robin), sends the request with a fresh correlation
 * id, and completes its future with the reply, the responder's error, a timeout, or the responder's death.
 * <p>
 * A responder found dead before the frame reached it (its outlet reports it gone and the registry confirms it, or,
 * when there is another responder to pick, the registry finds it dead just before sending) is skipped: the request
 * goes to the next one. Only a responder that dies once the frame is in its inbox fails the request with
 * {@link ResponderGoneException} ({@link #failPendingTo}, from the liveness sweep or a reclaim); with none left alive
 * it fails with {@link NoResponderException}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; replies arrive on the receive thread ({@link #onReply}), timeouts on
 * the node's timer.
 */
final class Requests {
    private final long nodeId;
    private final String nodeHex;
    private final BusUri uri;
    private final JsonCodec codec;
    private final CoreOptions options;
    private final NodeRegistry registry;
    private final CounterFile counters;
    private final AtomicBoolean closed;
    private final Sender sender;
    private final NodeTimer timer;
    private final ConcurrentHashMap<Long, PendingRequest<?>> pending = new ConcurrentHashMap<>();
    private final AtomicLong correlationIds = new AtomicLong();
    private final AtomicLong roundRobin = new AtomicLong();

    /**
     * @param node    the node's parts.
     * @param codec   encodes requests and decodes replies.
     * @param options the core options.
     * @param closed  the node's closed flag.
     * @param sender  sends the requests.
     * @param timer   runs the timeouts.
     */
    Requests(final NodeAssembly node, final JsonCodec codec, final CoreOptions options, final AtomicBoolean closed,
        final Sender sender, final NodeTimer timer) {
        this.nodeId = node.nodeId();
        this.nodeHex = node.nodeHex();
        this.uri = node.uri();
        this.codec = codec;
        this.options = options;
        this.registry = node.registry();
        this.counters = node.counters();
        this.closed = closed;
        this.sender = sender;
        this.timer = timer;
    }

    /**
     * Sends a request.
     *
     * @param topic     the topic, validated here.
     * @param request   the request.
     * @param replyType the reply type.
     * @param timeout   the timeout, checked here.
     * @param <R>       the reply type.
     * @return the reply.
     */
    <R> CompletableFuture<R> request(
        final String topic, final Object request, final JavaType replyType, final Duration timeout) {
        final byte[] topicUtf8 = sender.topicBytes(topic);
        ResponderResults.checkTimeout(timeout);
        final long timeoutNanos = TransportOptions.toNanosCapped(timeout);
        if (closed.get()) {
            throw AbstractBus.closedException(nodeHex, uri);
        }
        final RoutingTable.Peer[] candidates = sender.routes().current().responders(topic);
        if (candidates.length == 0) {
            return CompletableFuture.failedFuture(new NoResponderException("no responder: topic=" + topic
                + ", bus=" + uri));
        }
        final int first = (int)(roundRobin.getAndIncrement() % candidates.length);
        final long correlationId = correlationIds.incrementAndGet();
        final PendingRequest<R> pendingRequest = new PendingRequest<>(correlationId, topic,
            candidates[first].nodeId(), replyType);
        pending.put(correlationId, pendingRequest);
        pendingRequest.future.whenComplete((value, error) -> pending.remove(correlationId));
        try {
            pendingRequest.timeout = timer.schedule(() -> {
                counters.add(NodeCounters.REQUESTS_TIMED_OUT, 1);
                pendingRequest.fail(new RequestTimeoutException("request timed out: topic=" + topic + ", node="
                    + NodeIds.format(pendingRequest.responder) + ", timeoutMillis="
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + ", correlationId=" + correlationId));
            }, timeoutNanos);
        } catch (final RejectedExecutionException ex) {
            pendingRequest.fail(new BusClosedException("bus closed: node=" + nodeHex + ", topic=" + topic, ex));
            return pendingRequest.future; // close() stopped the timer after this call checked it was open
        }
        counters.add(NodeCounters.REQUESTS_SENT, 1);

        final OutgoingFrame frame = sender.acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            final int start = FrameEncoder.begin(buffer, TYPE_REQUEST, 0, codec.contentType(), nodeId,
                candidates[first].nodeId(), correlationId, options.timestamp(), topicUtf8, Map.of());
            codec.encode(request, buffer, topic);
            frame.encodedIn();
            sender.checkSize(frame.frameLength());
            sendRequest(candidates, first, frame, start, pendingRequest);
        } catch (final BusException | IllegalStateException ex) {
            pendingRequest.fail(ex);
        } finally {
            frame.release();
        }
        if (closed.get()) {
            pendingRequest.fail(new BusClosedException("bus closed: node=" + nodeHex));
        }
        return pendingRequest.future;
    }

    /**
     * Sends an encoded request to the first responder, in round-robin order from {@code first}, that takes it alive.
     */
    private void sendRequest(final RoutingTable.Peer[] candidates, final int first, final OutgoingFrame frame,
        final int start, final PendingRequest<?> request) {
        StringBuilder skipped = null;
        for (int i = 0; i < candidates.length; i++) {
            final RoutingTable.Peer target = candidates[(first + i) % candidates.length];
            // A ring inbox takes frames after its reader died, so only this check finds a responder that died since
            // the last sweep; it costs a lock-file probe (~20 us here), paid only when there is another to pick.
            final boolean dead = candidates.length > 1 && target.nodeId() != nodeId
                && !registry.isAlive(target.nodeId());
            if (!dead) {
                sender.checkTarget(target, frame.frameLength());
                request.responder = target.nodeId();
                frame.encoded().setLongLE(start + DESTINATION_OFFSET, target.nodeId());
                if (sender.send(target, frame, request.topic)) {
                    request.delivered = true;
                    return;
                }
            }
            skipped = (skipped == null ? new StringBuilder() : skipped.append(',')).append(target);
        }
        request.fail(new NoResponderException("no live responder: topic=" + request.topic + ", bus=" + uri
            + ", dead=[" + skipped + "]"));
    }

    /**
     * Completes a request with its reply or error reply (receive thread). A reply to no pending request (timed out,
     * cancelled, or not ours) is dropped: a late reply is not an error.
     *
     * @param frame the reply.
     * @param topic its topic.
     */
    @SuppressWarnings("unchecked")
    void onReply(final FrameFlyweight frame, final String topic) {
        final PendingRequest<Object> request = (PendingRequest<Object>)pending.get(frame.correlationId());
        if (request == null || request.responder != frame.sender()) {
            return;
        }
        if (frame.type() == TYPE_ERROR_REPLY) {
            String type = "unknown";
            String message = null;
            try {
                final Map<?, ?> error = codec.decode(Dispatcher.payload(frame), codec.type(Map.class), topic);
                type = String.valueOf(error.get("type"));
                message = error.get("message") == null ? null : String.valueOf(error.get("message"));
            } catch (final CodecException ex) {
                message = "unreadable error reply: " + ex.getMessage();
            }
            if ((frame.flags() & FLAG_NO_RESPONDER) != 0) {
                request.fail(new NoResponderException("no responder: topic=" + topic + ", node="
                    + NodeIds.format(frame.sender()) + ", reason=" + message));
            } else {
                request.fail(new ResponderFailedException(topic, NodeIds.format(frame.sender()), type, message));
            }
            return;
        }
        final Object value;
        try {
            if (frame.contentType() != CONTENT_TYPE_JSON) {
                // A reply is always decoded into the requested type; raw bytes cannot be (a foreign responder's bug).
                throw new CodecException("raw payload in a reply: topic=" + topic + ", node="
                    + NodeIds.format(frame.sender()) + ", correlationId=" + frame.correlationId());
            }
            value = codec.decode(Dispatcher.payload(frame), request.replyType, topic);
        } catch (final CodecException ex) {
            request.fail(ex);
            return;
        }
        request.complete(value);
    }

    /**
     * @return the responders pending requests wait on, each once.
     */
    List<Long> awaitedResponders() {
        final List<Long> responders = new ArrayList<>();
        for (final PendingRequest<?> request : pending.values()) {
            if (!responders.contains(request.responder)) {
                responders.add(request.responder);
            }
        }
        return responders;
    }

    /**
     * Fails the requests in a dead node's inbox with {@link ResponderGoneException}.
     *
     * @param deadNode the dead node.
     */
    void failPendingTo(final long deadNode) {
        for (final PendingRequest<?> request : pending.values()) {
            // A request still being sent is its sender's to fail or send elsewhere (sendRequest).
            if (request.responder == deadNode && request.delivered) {
                request.fail(new ResponderGoneException("responder gone: topic=" + request.topic + ", node="
                    + NodeIds.format(deadNode) + ", correlationId=" + request.correlationId));
            }
        }
    }

    /**
     * Fails every pending request with {@link BusClosedException}, for the node's close.
     */
    void failAllClosed() {
        for (final PendingRequest<?> request : pending.values()) {
            request.fail(new BusClosedException("bus closed: node=" + nodeHex + ", topic=" + request.topic));
        }
    }

    private static final class PendingRequest<R> {
        final long correlationId;
        final String topic;
        final JavaType replyType;
        final CompletableFuture<R> future = new CompletableFuture<>();
        /** The responder the request is being sent to, or was sent to; changes while a dead one is skipped. */
        volatile long responder;
        /** Whether the frame is in the responder's inbox: only then does the responder's death fail the request. */
        volatile boolean delivered;
        volatile ScheduledFuture<?> timeout;

        PendingRequest(final long correlationId, final String topic, final long responder, final JavaType replyType) {
            this.correlationId = correlationId;
            this.topic = topic;
            this.responder = responder;
            this.replyType = replyType;
        }

        void complete(final R value) {
            cancelTimeout();
            future.complete(value);
        }

        void fail(final Throwable error) {
            cancelTimeout();
            future.completeExceptionally(error);
        }

        private void cancelTimeout() {
            final ScheduledFuture<?> scheduled = timeout;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
