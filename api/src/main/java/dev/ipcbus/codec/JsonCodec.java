// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ipcbus.CodecException;
import dev.ipcbus.frame.FrameDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON payloads through a Jackson {@link ObjectMapper}; frames carry {@link FrameDescriptor#CONTENT_TYPE_JSON}.
 * <p>
 * Decoding ignores properties the target type does not know (a newer sender may add fields) but refuses a JSON object
 * that shares no top-level property with the type: that is a message of another type, which would otherwise decode
 * into an object with every field null. Errors are one line: what failed, the topic and type, Jackson's reason and
 * where in the payload.
 * <p>
 * Per message the codec allocates only what Jackson allocates per call (a serializer provider, a parser and their
 * contexts) and the decoded object: writers and readers are cached per type; each thread keeps one
 * {@link JsonGenerator} over a retargetable stream that writes straight into the given buffer, and one array into
 * which a payload without a backing array (direct or composite memory) is copied for Jackson to parse.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use (as {@link ObjectMapper} is once configured); per-thread state is
 * only touched by its thread, and a nested call on the same thread (a custom serializer that encodes) uses fresh
 * state instead.
 */
public final class JsonCodec {
    private final ObjectMapper mapper;
    private final ForeignShapeCheck shapeCheck = new ForeignShapeCheck();
    private final ObjectReader reader;
    private final ConcurrentHashMap<JavaType, ObjectReader> readers = new ConcurrentHashMap<>();
    private final ObjectWriter writer;
    private final ConcurrentHashMap<Class<?>, ObjectWriter> writers = new ConcurrentHashMap<>();
    /** Whether a generator can be reused: not with a pretty printer, which writes a separator between root values. */
    private final boolean reuseGenerator;
    private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(PerThread::new);

    /**
     * @param mapper the mapper; not modified (the codec reads and writes through its own {@link ObjectReader}s and
     *               {@link ObjectWriter}s of it).
     */
    public JsonCodec(final ObjectMapper mapper) {
        this.mapper = mapper;
        this.reader = mapper.reader().withHandler(shapeCheck);
        this.writer = mapper.writer();
        this.reuseGenerator = !mapper.isEnabled(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * @return the mapper the bus uses when the application supplies none: {@code Optional} and the other JDK 8 types,
     * java.time with dates as ISO-8601 text, unknown properties ignored (so a newer publisher can add fields);
     * floating-point numbers parsed with Jackson's fast parser (the same values, fewer allocations; issue 18).
     */
    public static ObjectMapper defaultMapper() {
        return new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * @return the content type written into frames.
     */
    public byte contentType() {
        return FrameDescriptor.CONTENT_TYPE_JSON;
    }

    /**
     * @param type a class.
     * @return the Jackson type for it.
     */
    public JavaType type(final Class<?> type) {
        return mapper.constructType(type);
    }

    /**
     * @param type a generic type.
     * @return the Jackson type for it.
     */
    public JavaType type(final TypeReference<?> type) {
        return mapper.constructType(type);
    }

    /**
     * Appends {@code value} as JSON at the buffer's writer index, into whatever memory {@code out} is over (heap,
     * direct, or a view of a claimed record), and moves the writer index past it.
     * <p>
     * <b>Ownership:</b> borrows {@code out} (the caller keeps it).
     *
     * @param value the value, possibly {@code null}.
     * @param out   the buffer; grows as needed up to its maximum capacity.
     * @param topic the topic, for the error message.
     * @return the number of bytes written.
     * @throws CodecException if Jackson cannot serialize the value, or it does not fit in {@code out}'s maximum
     *                        capacity; the buffer's writer index is restored.
     */
    public int encode(final Object value, final ByteBuf out, final String topic) {
        final int start = out.writerIndex();
        final PerThread state = perThread.get();
        try {
            final ObjectWriter typed = value == null ? writer : writer(value.getClass());
            if (state.encoding || !reuseGenerator) {
                try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
                    typed.writeValue((OutputStream)stream, value);
                }
            } else {
                state.encoding = true;
                try {
                    state.write(mapper, typed, value, out);
                } finally {
                    state.encoding = false;
                }
            }
            return out.writerIndex() - start;
        } catch (final IOException | RuntimeException ex) {
            state.discardGenerator();
            out.writerIndex(start);
            throw new CodecException("cannot serialize message: topic=" + topic + ", type="
                + (value == null ? "null" : value.getClass().getName()) + ", error=" + oneLine(ex), ex);
        }
    }

    /**
     * Encodes {@code value} as JSON into a new array.
     *
     * @param value the value, possibly {@code null}.
     * @param topic the topic, for the error message.
     * @return the JSON bytes.
     * @throws CodecException if Jackson cannot serialize the value.
     */
    public byte[] encode(final Object value, final String topic) {
        final ByteBuf buffer = Unpooled.buffer(256);
        try {
            encode(value, buffer, topic);
            return ByteBufUtil.getBytes(buffer);
        } finally {
            buffer.release();
        }
    }

    /**
     * Reads the readable bytes of {@code in} as JSON into {@code type}.
     *
     * @param in    the payload; its indexes are left unchanged.
     * @param type  the target type.
     * @param topic the topic, for the error message.
     * @param <T>   the target type.
     * @return the value.
     * @throws CodecException if the bytes are not valid JSON for {@code type} (wraps Jackson's exception), or are a
     *                        JSON object none of whose properties {@code type} has.
     */
    public <T> T decode(final ByteBuf in, final JavaType type, final String topic) {
        ObjectReader typed = readers.get(type);
        if (typed == null) {
            typed = readers.computeIfAbsent(type, reader::forType);
        }
        final int length = in.readableBytes();
        final byte[] bytes;
        final int offset;
        PerThread state = null;
        if (in.hasArray()) {
            bytes = in.array();
            offset = in.arrayOffset() + in.readerIndex();
        } else {
            // Jackson 2 parses a byte[] without copying it again, but reads a stream through its own buffer: one copy
            // into a reused array is the cheapest way from direct or composite memory.
            state = perThread.get();
            bytes = state.borrowInput(length);
            offset = 0;
            in.getBytes(in.readerIndex(), bytes, 0, length);
        }
        try {
            final boolean[] unknownAtTop = shapeCheck.begin();
            final T value;
            try {
                value = typed.readValue(bytes, offset, length);
            } catch (final IOException | RuntimeException ex) {
                throw new CodecException("cannot deserialize message: topic=" + topic + ", type=" + type.toCanonical()
                    + ", error=" + oneLine(ex), ex);
            }
            if (unknownAtTop[0]) {
                final String foreign;
                try {
                    foreign = ForeignShapeCheck.sharesNothing(mapper, bytes, offset, length, type);
                } catch (final IOException ex) {
                    throw new CodecException("cannot deserialize message: topic=" + topic + ", type="
                        + type.toCanonical() + ", error=" + oneLine(ex), ex);
                }
                if (foreign != null) {
                    throw new CodecException("message is not of the expected type (no property in common): topic="
                        + topic + ", type=" + type.toCanonical() + ", " + foreign);
                }
            }
            return value;
        } finally {
            if (state != null) {
                state.returnInput(bytes);
            }
        }
    }

    private ObjectWriter writer(final Class<?> type) {
        final ObjectWriter typed = writers.get(type);
        return typed != null ? typed : writers.computeIfAbsent(type, writer::forType);
    }

    /**
     * One thread's reusable encoding and decoding state.
     * <p>
     * <b>Thread safety:</b> not thread-safe; used only by the thread that owns it.
     */
    private static final class PerThread {
        /** Smallest array kept for decoding; grows to the largest payload seen. */
        private static final int MIN_INPUT = 512;

        /** Writes into {@link #target}: the generator's flush lands at the target's writer index. */
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(final int b) {
                target.writeByte(b);
            }

            @Override
            public void write(final byte[] b, final int off, final int len) {
                target.writeBytes(b, off, len);
            }
        };
        private ByteBuf target;
        private JsonGenerator generator;
        private byte[] input = new byte[MIN_INPUT];
        /** Set while this thread encodes, so that a nested encode does not share the generator. */
        boolean encoding;

        void write(final ObjectMapper mapper, final ObjectWriter typed, final Object value, final ByteBuf out)
            throws IOException {
            if (generator == null) {
                generator = mapper.getFactory().createGenerator(stream);
                // Values are written one after another into the same generator; no separator between them.
                generator.setRootValueSeparator(null);
            }
            target = out;
            try {
                typed.writeValue(generator, value);
                generator.flush(); // also when the mapper disables FLUSH_AFTER_WRITE_VALUE
            } finally {
                target = null;
            }
        }

        /** Drops the generator after a failure: it may hold half a value and an open context. */
        void discardGenerator() {
            if (!encoding) {
                generator = null;
            }
        }

        byte[] borrowInput(final int length) {
            final byte[] array = input;
            if (array == null || array.length < length) {
                // Nested decode on this thread (array lent out), or a payload larger than any before.
                return new byte[Math.max(length, MIN_INPUT)];
            }
            input = null;
            return array;
        }

        void returnInput(final byte[] array) {
            if (input == null || array.length > input.length) {
                input = array;
            }
        }
    }

    /** Jackson's reason without its multi-line source excerpt, and where in the payload. */
    private static String oneLine(final Exception ex) {
        if (ex instanceof JsonProcessingException) {
            final JsonProcessingException json = (JsonProcessingException)ex;
            final JsonLocation location = json.getLocation();
            final String reason = String.valueOf(json.getOriginalMessage()).replace('\n', ' ').replace('\r', ' ');
            return location == null ? reason
                : reason + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        }
        return String.valueOf(ex.getMessage()).replace('\n', ' ').replace('\r', ' ');
    }
}
