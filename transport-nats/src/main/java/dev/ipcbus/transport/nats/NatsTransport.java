// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.Subscription;
import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.spi.EngineContext;
import dev.ipcbus.spi.EngineMessage;
import dev.ipcbus.spi.EngineTransport;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One node's NATS connection: subscriptions on one dispatcher (one delivery thread, messages of one subscription in
 * order), responders as members of the queue group {@value #QUEUE_GROUP} of their subject (NATS gives each request to
 * one member and answers "no responders" when there is none), and an answer to the bus's listing subject.
 * <p>
 * <b>Losses</b> (NATS core delivers at most once), each reported to the error handler and counted: messages the
 * client dropped because a subscription fell behind ({@code slowConsumerDropped}); a disconnection
 * ({@code disconnects}: publishes made while disconnected are buffered up to {@code reconnectBuffer}, then refused
 * with an exception, {@code publishesRefused}); messages without the bus prefix ({@code foreignSubjects}).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class NatsTransport implements EngineTransport {
    /** The queue group of every responder: one responder per request, whichever node it is on. */
    static final String QUEUE_GROUP = "ipcbus";
    private static final Duration CLOSE_FLUSH = Duration.ofSeconds(2);
    private static final Duration SUBSCRIBE_FLUSH = Duration.ofSeconds(5);

    private final Connection connection;
    private final Dispatcher dispatcher;
    private final NatsSubjects subjects;
    private final EngineContext context;
    private final ErrorHandler errorHandler;
    private final ObjectMapper mapper = JsonCodec.defaultMapper();
    private final NatsWire.Own own;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder slowConsumerDropped = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder publishesRefused = new LongAdder();
    private final LongAdder foreignSubjects = new LongAdder();

    private NatsTransport(final EngineContext context, final NatsOptions options, final Events events)
        throws IOException, InterruptedException {
        this.context = context;
        this.errorHandler = context.errorHandler();
        this.subjects = new NatsSubjects(options.subjectPrefix);
        this.own = new NatsWire.Own(context.nodeId());
        this.connection = Nats.connect(options.builder("ipcbus " + context.busName() + " " + context.nodeId()
            + " " + context.nodeName()).errorListener(events).connectionListener(events).build());
        events.transport = this; // reports start once connected: a failed connect is reported by its exception
        this.dispatcher = connection.createDispatcher();
        dispatcher.subscribe(subjects.nodesSubject(), this::answerListing);
    }

    /**
     * Connects one node.
     *
     * @param context the node's context.
     * @return the connected transport.
     * @throws dev.ipcbus.ConfigurationException if a server or option is malformed.
     * @throws TransportUnavailableException     if no server can be reached or the server refuses the credentials.
     */
    static NatsTransport connect(final EngineContext context) {
        final NatsOptions options = NatsOptions.from(context);
        try {
            return new NatsTransport(context, options, new Events());
        } catch (final IOException | RuntimeException ex) {
            throw new TransportUnavailableException("cannot connect to NATS: servers=" + options.servers
                + ", bus=" + context.busName() + ", cause=" + describe(ex), ex);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new TransportUnavailableException("interrupted while connecting to NATS: servers="
                + options.servers, ex);
        }
    }

    private static String describe(final Throwable error) {
        final String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : message;
    }

    @Override
    public String scheme() {
        return NatsTransportProvider.SCHEME;
    }

    @Override
    public String address() {
        final String url = connection.getConnectedUrl();
        return url == null ? "disconnected" : url;
    }

    @Override
    public int maxMessageLength() {
        return (int)Math.min(Integer.MAX_VALUE, connection.getMaxPayload());
    }

    @Override
    public void publish(final EngineMessage message) {
        connectionPublish(subjects.subject(message.topic()), own.of(message), message.body());
    }

    private void connectionPublish(final String subject, final Headers headers, final byte[] body) {
        final long length = body.length + (headers == null ? 0 : headers.serializedLength());
        if (length > connection.getMaxPayload()) {
            throw new MessageTooLargeException((int)Math.min(Integer.MAX_VALUE, length), maxMessageLength(),
                "nats (the server's max_payload)");
        }
        checkOpen();
        try {
            connection.publish(subject, headers, body);
        } catch (final IllegalStateException ex) {
            publishesRefused.increment();
            throw new BusException("NATS refused the publish (" + describe(ex) + "): subject=" + subject
                + ", status=" + connection.getStatus(), ex);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new BusClosedException("NATS connection closed: bus=" + context.busName());
        }
    }

    @Override
    public Subscription subscribe(final String pattern, final java.util.function.Consumer<EngineMessage> listener) {
        checkOpen();
        // a pattern without wildcards is a subject NATS matches exactly: every message's topic is the pattern
        final boolean literal = pattern.indexOf('*') < 0 && pattern.indexOf('>') < 0;
        final io.nats.client.Subscription subscription = dispatcher.subscribe(subjects.subject(pattern),
            message -> {
                final String topic = literal ? pattern : subjects.topic(message.getSubject());
                if (topic == null) {
                    foreignSubjects.increment();
                    return;
                }
                listener.accept(NatsWire.message(topic, message));
            });
        return registered(pattern, subscription);
    }

    @Override
    public Subscription respond(final String topic, final Responder responder) {
        checkOpen();
        final io.nats.client.Subscription subscription = dispatcher.subscribe(subjects.subject(topic), QUEUE_GROUP,
            message -> {
                final String replyTo = message.getReplyTo();
                if (replyTo == null) {
                    // a plain publish on a request topic: nobody to answer
                    errorHandler.onError(new BusException("message without a reply subject on a responder's topic"
                        + " dropped: topic=" + topic));
                    return;
                }
                responder.onRequest(NatsWire.message(topic, message),
                    reply -> connectionPublish(replyTo, NatsWire.replyHeaders(reply), reply.body()));
            });
        return registered(topic, subscription);
    }

    /**
     * Waits (bounded) until the server has processed the subscription, so that a message published after this
     * returns, by any client of the same server, is matched; other servers of a cluster learn it asynchronously. While
     * disconnected the client sends it on reconnection: no wait then.
     */
    private Subscription registered(final String pattern, final io.nats.client.Subscription subscription) {
        if (connection.getStatus() == Connection.Status.CONNECTED) {
            try {
                connection.flush(SUBSCRIBE_FLUSH);
            } catch (final TimeoutException ex) {
                // the connection dropped meanwhile: the subscription is resent on reconnection
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        return registration(pattern, subscription);
    }

    private Subscription registration(final String pattern, final io.nats.client.Subscription subscription) {
        final AtomicBoolean active = new AtomicBoolean(true);
        return new Subscription() {
            @Override
            public String pattern() {
                return pattern;
            }

            @Override
            public void close() {
                if (active.compareAndSet(true, false) && !closed.get()) {
                    dispatcher.unsubscribe(subscription);
                }
            }
        };
    }

    @Override
    public CompletableFuture<EngineMessage> request(final EngineMessage request, final Duration timeout) {
        checkOpen();
        final String topic = request.topic();
        final CompletableFuture<EngineMessage> result = new CompletableFuture<>();
        final CompletableFuture<Message> reply;
        try {
            reply = connection.requestWithTimeout(subjects.subject(topic), own.of(request), request.body(),
                timeout);
        } catch (final IllegalStateException | IllegalArgumentException ex) {
            publishesRefused.increment();
            return CompletableFuture.failedFuture(new BusException("NATS refused the request (" + describe(ex)
                + "): topic=" + topic + ", status=" + connection.getStatus(), ex));
        }
        reply.whenComplete((answer, error) -> {
            if (error == null) {
                result.complete(NatsWire.message(topic, answer));
                return;
            }
            result.completeExceptionally(requestFailure(topic, timeout, error));
        });
        return result;
    }

    private BusException requestFailure(final String topic, final Duration timeout, final Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
            && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof JetStreamStatusException && describe(cause).contains("503")) {
            return new NoResponderException("no responder: topic=" + topic + ", bus=" + context.busName()
                + " (NATS: no responders)");
        }
        if (cause instanceof CancellationException || cause instanceof TimeoutException) {
            return new RequestTimeoutException("request timed out: topic=" + topic + ", timeoutMillis="
                + timeout.toMillis() + ", bus=" + context.busName() + ", status=" + connection.getStatus(), cause);
        }
        return new BusException("request failed: topic=" + topic + ", cause=" + describe(cause), cause);
    }

    @Override
    public List<NodeInfo> nodes(final Duration timeout) {
        checkOpen();
        final List<NodeInfo> nodes = new ArrayList<>();
        final String inbox = connection.createInbox();
        final io.nats.client.Subscription answers = connection.subscribe(inbox);
        try {
            connection.publish(subjects.nodesSubject(), inbox, new byte[0]);
            final long deadline = System.nanoTime() + timeout.toNanos();
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                final Message answer = answers.nextMessage(Duration.ofNanos(left));
                if (answer == null) {
                    break;
                }
                try {
                    nodes.add(mapper.readValue(answer.getData(), NodeInfo.class));
                } catch (final IOException ex) {
                    errorHandler.onError(new BusException("unreadable node listing answer dropped: subject="
                        + subjects.nodesSubject() + ", cause=" + describe(ex), ex));
                }
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        } finally {
            answers.unsubscribe();
        }
        return nodes;
    }

    private void answerListing(final Message request) {
        if (request.getReplyTo() == null) {
            return;
        }
        try {
            connection.publish(request.getReplyTo(), mapper.writeValueAsBytes(context.self()));
        } catch (final IOException | RuntimeException ex) {
            errorHandler.onError(new BusException("cannot answer a node listing: " + describe(ex), ex));
        }
    }

    @Override
    public Map<String, Long> counters() {
        final Map<String, Long> values = new LinkedHashMap<>();
        values.put("slowConsumerDropped", slowConsumerDropped.sum());
        values.put("disconnects", disconnects.sum());
        values.put("reconnects", reconnects.sum());
        values.put("publishesRefused", publishesRefused.sum());
        values.put("foreignSubjects", foreignSubjects.sum());
        return values;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (connection.getStatus() == Connection.Status.CONNECTED) {
                connection.flush(CLOSE_FLUSH);
            }
        } catch (final TimeoutException | RuntimeException ex) {
            errorHandler.onError(new BusException("NATS: publishes still buffered at close may be lost: bus="
                + context.busName() + ", cause=" + describe(ex), ex));
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The connection's error and state callbacks, turned into reports and counters. */
    private static final class Events implements ErrorListener, ConnectionListener {
        volatile NatsTransport transport;

        @Override
        public void slowConsumerDetected(final Connection connection, final Consumer consumer) {
            final NatsTransport owner = transport;
            if (owner == null) {
                return;
            }
            final long dropped = consumer.getDroppedCount();
            consumer.clearDroppedCount();
            owner.slowConsumerDropped.add(dropped);
            owner.errorHandler.onError(new BusException("NATS slow consumer: messages dropped by the client because"
                + " a subscription fell behind: dropped=" + dropped + ", pending limit="
                + consumer.getPendingMessageLimit() + " messages, bus=" + owner.context.busName()));
        }

        @Override
        public void errorOccurred(final Connection connection, final String error) {
            final NatsTransport owner = transport;
            if (owner != null) {
                owner.errorHandler.onError(new BusException("NATS server error: " + error + ", bus="
                    + owner.context.busName()));
            }
        }

        @Override
        public void connectionEvent(final Connection connection, final ConnectionListener.Events type) {
            final NatsTransport owner = transport;
            if (owner == null) {
                return;
            }
            if (type == ConnectionListener.Events.DISCONNECTED && !owner.closed.get()) {
                owner.disconnects.increment();
                owner.errorHandler.onError(new BusException("NATS disconnected: publishes are buffered up to"
                    + " reconnectBuffer while the client reconnects, then refused; bus=" + owner.context.busName()));
            } else if (type == ConnectionListener.Events.RECONNECTED) {
                owner.reconnects.increment();
            }
        }
    }
}
