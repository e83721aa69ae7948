// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Tells a message of another type from a newer version of the expected one. Unknown properties are ignored (a newer
 * publisher may add fields), but a JSON object none of whose top-level properties the target type knows is another
 * type: decoding it would "succeed" with every field null. The problem handler only notes, on the decoding thread, that
 * a top-level property was unknown (nothing is allocated on the common path); only then does {@link #sharesNothing}
 * read the payload a second time to compare its property names with the type's.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the note is per thread, set and cleared within one decode.
 */
final class ForeignShapeCheck extends DeserializationProblemHandler {
    private final ThreadLocal<boolean[]> unknownAtTop = ThreadLocal.withInitial(() -> new boolean[1]);

    @Override
    public boolean handleUnknownProperty(
        final DeserializationContext context,
        final JsonParser parser,
        final JsonDeserializer<?> deserializer,
        final Object beanOrClass,
        final String propertyName) {
        JsonStreamContext object = parser.getParsingContext();
        final JsonToken value = parser.currentToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            object = object.getParent();
        }
        if (object != null && object.getParent() != null && object.getParent().inRoot()) {
            unknownAtTop.get()[0] = true;
        }
        return false; // Jackson goes on as configured: skips the value, or fails if the mapper says so
    }

    /**
     * Clears this thread's note; call before a decode.
     *
     * @return the note: element 0 is whether the decode met an unknown top-level property, read after the decode.
     */
    boolean[] begin() {
        final boolean[] note = unknownAtTop.get();
        note[0] = false;
        return note;
    }

    /**
     * @param mapper the mapper that decoded the payload.
     * @param json   an array holding the payload.
     * @param offset where the payload starts in {@code json}.
     * @param length the payload's length.
     * @param type   the type it was decoded into.
     * @return a description of the payload's property names when it is an object with properties of which the type
     * knows none (and the type has no any-setter); {@code null} when it shares at least one.
     * @throws IOException if the payload cannot be read as a tree.
     */
    static String sharesNothing(final ObjectMapper mapper, final byte[] json, final int offset, final int length,
        final JavaType type) throws IOException {
        final JsonNode tree = mapper.readTree(json, offset, length);
        if (tree == null || !tree.isObject() || tree.isEmpty()) {
            return null;
        }
        final BeanDescription bean = mapper.getDeserializationConfig().introspect(type);
        if (bean.findAnySetterAccessor() != null) {
            return null;
        }
        final Set<String> known = new HashSet<>();
        for (final BeanPropertyDefinition property : bean.findProperties()) {
            known.add(property.getName());
        }
        final List<String> names = new ArrayList<>();
        for (final Iterator<String> fields = tree.fieldNames(); fields.hasNext(); ) {
            final String name = fields.next();
            if (known.contains(name)) {
                return null;
            }
            names.add(name);
        }
        return "properties=" + names + ", typeProperties=" + known;
    }
}
