// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ipcbus.CodecException;
import dev.ipcbus.frame.FrameDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON payloads through a Jackson {@link ObjectMapper}; frames carry {@link FrameDescriptor#CONTENT_TYPE_JSON}.
 * <p>
 * Decoding ignores properties the target type does not know (a newer sender may add fields) but refuses a JSON object
 * that shares no top-level property with the type: that is a message of another type, which would otherwise decode
 * into an object with every field null. Errors are one line: what failed, the topic and type, Jackson's reason and
 * where in the payload.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use (as {@link ObjectMapper} is once configured).
 */
public final class JsonCodec {
    private final ObjectMapper mapper;
    private final ForeignShapeCheck shapeCheck = new ForeignShapeCheck();
    private final ObjectReader reader;
    private final ConcurrentHashMap<JavaType, ObjectReader> readers = new ConcurrentHashMap<>();

    /**
     * @param mapper the mapper; not modified (the codec reads through its own {@link ObjectReader}s of it).
     */
    public JsonCodec(final ObjectMapper mapper) {
        this.mapper = mapper;
        this.reader = mapper.reader().withHandler(shapeCheck);
    }

    /**
     * @return the mapper the bus uses when the application supplies none: {@code Optional} and the other JDK 8 types,
     * java.time with dates as ISO-8601 text, unknown properties ignored (so a newer publisher can add fields).
     */
    public static ObjectMapper defaultMapper() {
        return new ObjectMapper()
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
     * Appends {@code value} as JSON at the buffer's writer index.
     *
     * @param value the value, possibly {@code null}.
     * @param out   the buffer; grows as needed.
     * @param topic the topic, for the error message.
     * @throws CodecException if Jackson cannot serialize the value; the buffer's writer index is restored.
     */
    public void encode(final Object value, final ByteBuf out, final String topic) {
        final int start = out.writerIndex();
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            mapper.writeValue((java.io.OutputStream)stream, value);
        } catch (final IOException | RuntimeException ex) {
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
        shapeCheck.reset();
        final T value;
        try {
            if (in.hasArray()) {
                value = typed.readValue(in.array(), in.arrayOffset() + in.readerIndex(), in.readableBytes());
            } else {
                value = typed.readValue((java.io.InputStream)new ByteBufInputStream(in.duplicate()));
            }
        } catch (final IOException | RuntimeException ex) {
            throw new CodecException("cannot deserialize message: topic=" + topic + ", type=" + type.toCanonical()
                + ", error=" + oneLine(ex), ex);
        }
        if (shapeCheck.sawUnknown()) {
            final String foreign;
            try {
                foreign = ForeignShapeCheck.sharesNothing(mapper, ByteBufUtil.getBytes(in), type);
            } catch (final IOException ex) {
                throw new CodecException("cannot deserialize message: topic=" + topic + ", type=" + type.toCanonical()
                    + ", error=" + oneLine(ex), ex);
            }
            if (foreign != null) {
                throw new CodecException("message is not of the expected type (no property in common): topic=" + topic
                    + ", type=" + type.toCanonical() + ", " + foreign);
            }
        }
        return value;
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
