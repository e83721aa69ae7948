// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.BusException;
import dev.ipcbus.CodecException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.MessageContext;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.frame.FrameFlyweight;
import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.NodeIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import static dev.ipcbus.frame.FrameDescriptor.CONTENT_TYPE_JSON;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_ERROR_REPLY;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_PUBLISH;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_REPLY;
import static dev.ipcbus.frame.FrameDescriptor.TYPE_REQUEST;

/**
 * The receiving side of a node: validates each frame of the inbox and hands it on by type: a publish to the matching
 * subscriptions (decoded once per type, on the receive thread or their executor), a request to
 * {@link Responses}, a reply to {@link Requests}. A malformed frame, an undecodable payload or a handler's
 * exception goes to the error handler, counted, and the receive loop goes on.
 * <p>
 * Steady-state receiving allocates nothing for raw subscriptions: one reused flyweight and {@link MessageContext},
 * topics cached ({@link TopicCache}) with their matching subscriptions.
 * <p>
 * <b>Thread safety:</b> {@link #onFrame} is called by the inbox's receive thread (or serialized receive calls) only;
 * handlers given an executor run there.
 */
final class Dispatcher implements FrameListener {
    private final String nodeHex;
    private final JsonCodec codec;
    private final ErrorHandler errorHandler;
    private final CounterFile counters;
    private final TrafficCounters traffic;
    private final Registrations registrations;
    private final Requests requests;
    private final Responses responses;
    private final FrameFlyweight received = new FrameFlyweight();
    private final ReceivedContext receivedContext = new ReceivedContext();
    private final TopicCache topicCache = new TopicCache();

    /**
     * @param node          the node's parts.
     * @param codec         decodes JSON payloads.
     * @param registrations the subscriptions.
     * @param requests      completes requests with their replies.
     * @param responses     answers requests.
     */
    Dispatcher(final NodeAssembly node, final JsonCodec codec, final Registrations registrations,
        final Requests requests, final Responses responses) {
        this.nodeHex = node.nodeHex();
        this.codec = codec;
        this.errorHandler = node.errorHandler();
        this.counters = node.counters();
        this.traffic = node.traffic();
        this.registrations = registrations;
        this.requests = requests;
        this.responses = responses;
    }

    @Override
    public void onFrame(final ByteBuf frame) {
        traffic.received(frame.readableBytes());
        final FrameFlyweight flyweight;
        try {
            flyweight = received.wrap(frame);
        } catch (final FrameFormatException ex) {
            dropMalformed(ex.getMessage(), ex);
            return;
        }
        final TopicCache.Entry entry = topicCache.entry(frame, flyweight.topicOffset(), flyweight.topicLength());
        if (entry.problem != null) {
            // A topic no sender may use (a wildcard, an empty token, whitespace, malformed UTF-8): never delivered.
            dropMalformed(entry.problem + ", type=" + flyweight.type() + ", sender="
                + NodeIds.format(flyweight.sender()), null);
            return;
        }
        final String topic = entry.topic;
        receivedContext.reset(topic, flyweight);
        try {
            switch (flyweight.type()) {
                case TYPE_PUBLISH:
                    onPublish(flyweight, topic, registrations.matching(entry));
                    break;
                case TYPE_REQUEST:
                    responses.onRequest(flyweight, topic, receivedContext);
                    break;
                case TYPE_REPLY:
                case TYPE_ERROR_REPLY:
                    requests.onReply(flyweight, topic);
                    break;
                default:
                    break; // unreachable: wrap() validated the type
            }
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
    }

    /**
     * @param frame a received frame.
     * @return a view of its payload, valid while the frame is.
     */
    static ByteBuf payload(final FrameFlyweight frame) {
        return frame.buffer().slice(frame.payloadOffset(), frame.payloadLength());
    }

    /** Counts a malformed frame and reports it (the first, then every 1000th); the receive loop goes on. */
    private void dropMalformed(final String problem, final FrameFormatException cause) {
        counters.add(NodeCounters.MALFORMED_FRAMES, 1);
        final long count = counters.get(NodeCounters.MALFORMED_FRAMES);
        if (count == 1 || count % 1000 == 0) {
            errorHandler.onError(new FrameFormatException("malformed frame dropped: node=" + nodeHex
                + ", count=" + count + ", error=" + problem, cause));
        }
    }

    private void onPublish(final FrameFlyweight frame, final String topic,
        final Registrations.LocalSubscription[] matches) {
        JavaType decodedType = null;
        Object decoded = null;
        for (final Registrations.LocalSubscription subscription : matches) {
            if (!subscription.active) {
                continue;
            }
            try {
                if (subscription.rawHandler != null) {
                    deliverRaw(subscription, frame);
                    continue;
                }
                if (frame.contentType() != CONTENT_TYPE_JSON) {
                    throw new CodecException("raw payload for a typed subscription: topic=" + topic + ", pattern="
                        + subscription.pattern + ", type=" + subscription.type);
                }
                if (!subscription.type.equals(decodedType)) {
                    decoded = codec.decode(payload(frame), subscription.type, topic);
                    decodedType = subscription.type;
                }
                if (subscription.executor == null) {
                    subscription.handler.onMessage(decoded, receivedContext);
                } else {
                    final Object message = decoded;
                    final MessageContext copy = receivedContext.copy();
                    subscription.executor.execute(() -> runHandler(subscription, message, copy));
                }
            } catch (final Exception ex) {
                reportHandlerError(subscription.pattern, topic, ex);
            }
        }
    }

    private void runHandler(final Registrations.LocalSubscription subscription, final Object message,
        final MessageContext context) {
        if (!subscription.active) {
            return;
        }
        try {
            subscription.handler.onMessage(message, context);
        } catch (final Exception ex) {
            reportHandlerError(subscription.pattern, context.topic(), ex);
        }
    }

    private void deliverRaw(final Registrations.LocalSubscription subscription, final FrameFlyweight frame)
        throws Exception {
        final ByteBuf buffer = frame.buffer();
        final int readerIndex = buffer.readerIndex();
        final int writerIndex = buffer.writerIndex();
        // Narrow the borrowed buffer to the payload in place (no slice object), and restore it afterwards.
        buffer.setIndex(frame.payloadOffset(), frame.payloadOffset() + frame.payloadLength());
        try {
            if (subscription.executor == null) {
                subscription.rawHandler.onMessage(buffer, receivedContext);
            } else {
                final ByteBuf copy = Unpooled.copiedBuffer(buffer);
                final MessageContext context = receivedContext.copy();
                subscription.executor.execute(() -> {
                    try {
                        subscription.rawHandler.onMessage(copy, context);
                    } catch (final Exception ex) {
                        reportHandlerError(subscription.pattern, context.topic(), ex);
                    } finally {
                        copy.release();
                    }
                });
            }
        } finally {
            buffer.setIndex(readerIndex, writerIndex);
        }
    }

    private void reportHandlerError(final String pattern, final String topic, final Exception ex) {
        counters.add(NodeCounters.HANDLER_ERRORS, 1);
        if (ex instanceof CodecException) {
            errorHandler.onError(ex);
        } else {
            errorHandler.onError(new BusException("subscriber failed: pattern=" + pattern + ", topic=" + topic
                + ", error=" + ex, ex));
        }
    }
}
