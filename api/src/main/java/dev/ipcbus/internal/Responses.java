// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.BusException;
import dev.ipcbus.CodecException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.MessageContext;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.frame.FrameFlyweight;
import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;
import dev.ipcbus.spi.NodeIds;
import io.netty.buffer.ByteBuf;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.ipcbus.frame.FrameDescriptor.CONTENT_TYPE_JSON;
import static dev.ipcbus.frame.FrameDescriptor.FLAG_NO_RESPONDER;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_ERROR_REPLY;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_REPLY;

/**
 * The responding side of a node: decodes a request, runs this node's responder for its topic and sends back the
 * reply, or an error reply (with {@code FLAG_NO_RESPONDER} when the node no longer responds to the topic) that the
 * requester reads as the matching exception. A reply too large for the requester's inbox goes back as an error it
 * can read, not lost.
 * <p>
 * <b>Thread safety:</b> {@link #onRequest} runs on the receive thread; a responder's asynchronous result is sent from
 * whichever thread completes it.
 */
final class Responses {
    private final long nodeId;
    private final String nodeHex;
    private final JsonCodec codec;
    private final CoreOptions options;
    private final ErrorHandler errorHandler;
    private final CounterFile counters;
    private final AtomicBoolean closed;
    private final Registrations registrations;
    private final Sender sender;

    /**
     * @param node          the node's parts.
     * @param codec         encodes and decodes JSON payloads.
     * @param options       the core options.
     * @param closed        the node's closed flag.
     * @param registrations finds the responder of a topic.
     * @param sender        sends the replies.
     */
    Responses(final NodeAssembly node, final JsonCodec codec, final CoreOptions options, final AtomicBoolean closed,
        final Registrations registrations, final Sender sender) {
        this.nodeId = node.nodeId();
        this.nodeHex = node.nodeHex();
        this.codec = codec;
        this.options = options;
        this.errorHandler = node.errorHandler();
        this.counters = node.counters();
        this.closed = closed;
        this.registrations = registrations;
        this.sender = sender;
    }

    /**
     * Answers a request (receive thread).
     *
     * @param frame   the request.
     * @param topic   its topic.
     * @param context its context, valid during this call.
     */
    void onRequest(final FrameFlyweight frame, final String topic, final MessageContext context) {
        final long requester = frame.sender();
        final long correlationId = frame.correlationId();
        if (frame.destination() != nodeId) {
            errorHandler.onError(new FrameFormatException("request for another node dropped: topic=" + topic
                + ", destination=" + NodeIds.format(frame.destination()) + ", node=" + nodeHex));
            return;
        }
        final Registrations.LocalResponder responder = registrations.responder(topic);
        if (responder == null) {
            sendErrorReply(requester, correlationId, topic, FLAG_NO_RESPONDER,
                NoResponderException.class.getName(), "no responder: topic=" + topic + ", node=" + nodeHex);
            return;
        }
        final Object result;
        try {
            if (frame.contentType() != CONTENT_TYPE_JSON) {
                throw new CodecException("raw payload for a typed responder: topic=" + topic);
            }
            final Object request = codec.decode(Dispatcher.payload(frame), responder.type, topic);
            result = responder.handler.onRequest(request, context);
        } catch (final Exception ex) {
            sendErrorReply(requester, correlationId, topic, 0, ex.getClass().getName(), ex.getMessage());
            return;
        }
        ResponderResults.whenDone(result, value -> sendReply(requester, correlationId, topic, value),
            cause -> sendErrorReply(requester, correlationId, topic, 0, cause.getClass().getName(),
                cause.getMessage()));
    }

    private void sendReply(final long requester, final long correlationId, final String topic, final Object value) {
        final OutgoingFrame frame = sender.acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            final int start = FrameEncoder.begin(buffer, TYPE_REPLY, 0, codec.contentType(), nodeId, requester,
                correlationId, options.timestamp(), sender.topicBytes(topic), Map.of());
            try {
                codec.encode(value, buffer, topic);
            } catch (final CodecException ex) {
                buffer.writerIndex(start);
                sendErrorReply(requester, correlationId, topic, 0, ex.getClass().getName(), ex.getMessage());
                return;
            }
            frame.encodedIn();
            try {
                sender.checkSize(frame.frameLength());
                final RoutingTable.Peer peer = closed.get() ? null : sender.routes().peerOf(requester);
                if (peer != null) {
                    sender.checkTarget(peer, frame.frameLength());
                }
            } catch (final MessageTooLargeException ex) {
                sendErrorReply(requester, correlationId, topic, 0, MessageTooLargeException.class.getName(),
                    ex.getMessage());
                return;
            }
            counters.add(NodeCounters.REPLIES_SENT, 1);
            deliver(requester, frame, topic);
        } finally {
            frame.release();
        }
    }

    private void sendErrorReply(
        final long requester,
        final long correlationId,
        final String topic,
        final int flags,
        final String type,
        final String message) {
        final Map<String, String> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        final OutgoingFrame frame = sender.acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            FrameEncoder.begin(buffer, TYPE_ERROR_REPLY, flags, codec.contentType(), nodeId, requester, correlationId,
                options.timestamp(), sender.topicBytes(topic), Map.of());
            codec.encode(error, buffer, topic);
            frame.encodedIn();
            counters.add(NodeCounters.REPLIES_SENT, 1);
            deliver(requester, frame, topic);
        } finally {
            frame.release();
        }
    }

    /**
     * Sends a reply or error reply to a requester; a failure goes to the error handler, not to the caller (the
     * receive thread, or a responder's completion).
     *
     * @param node  the requester.
     * @param frame the encoded frame.
     * @param topic the request's topic.
     */
    private void deliver(final long node, final OutgoingFrame frame, final String topic) {
        if (closed.get()) {
            return;
        }
        final RoutingTable.Peer peer = sender.routes().peerOf(node);
        if (peer == null) {
            errorHandler.onError(new BusException("reply dropped, requester not registered: node="
                + NodeIds.format(node) + ", topic=" + topic));
            return;
        }
        try {
            sender.send(peer, frame, topic);
        } catch (final BusException | IllegalStateException ex) {
            errorHandler.onError(new BusException("reply not delivered: node=" + peer + ", topic=" + topic
                + ", error=" + ex.getMessage(), ex));
        }
    }
}
