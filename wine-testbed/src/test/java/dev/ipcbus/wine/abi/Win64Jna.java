// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import com.sun.jna.Callback;
import com.sun.jna.IntegerType;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import com.sun.jna.Structure;
import com.sun.jna.Union;
import com.sun.jna.WString;
import com.sun.jna.ptr.ByReference;
import com.sun.jna.ptr.NativeLongByReference;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How JNA marshals a Java type on Win64, computed here rather than read from the running JNA (which is Linux's): C
 * {@code long} and {@code NativeLong} are 4 bytes, {@code wchar_t} ({@code char}, {@code WString}'s units) is 2 bytes,
 * pointers are 8; {@code boolean} is a 4-byte {@code BOOL}; a {@code Structure} argument is a pointer to it, a
 * {@code Structure.ByValue} argument is the structure itself; {@code IntByReference} points to 4 bytes,
 * {@code LongByReference} to 8.
 * <p>
 * Structure layouts follow the Win64 (MSVC) rules: each field at the next multiple of its alignment (a scalar's size,
 * a nested structure's largest member alignment, an array's element's), the size rounded up to the structure's
 * alignment; a {@code Union} puts every field at 0. On x86-64 Linux JNA computes the same layout for structures made
 * of these field types ({@code Win64JnaTest} holds it to that for platform-windows' structures); where the two ABIs
 * differ ({@code long}, {@code wchar_t}, {@code NativeLong}) this class gives Win64's width.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
final class Win64Jna {
    /** Win64 pointer width. */
    static final int POINTER_SIZE = 8;
    /** Win64 C {@code long}. */
    static final int LONG_SIZE = 4;
    /** Win64 {@code wchar_t}. */
    static final int WCHAR_SIZE = 2;
    /** JNA's {@code boolean}: a Win32 {@code BOOL}. */
    static final int BOOL_SIZE = 4;

    private Win64Jna() {
    }

    /**
     * @param type a parameter or return type of a JNA library method.
     * @return how JNA passes it on Win64.
     * @throws IllegalArgumentException for a type JNA cannot pass.
     */
    static AbiType argument(final Class<?> type) {
        if (type == void.class || type == Void.class) {
            return AbiType.VOID;
        }
        if (Structure.class.isAssignableFrom(type)) {
            final int size = layout(type.asSubclass(Structure.class)).size();
            return Structure.ByValue.class.isAssignableFrom(type) ? AbiType.structure(size)
                : AbiType.pointer(POINTER_SIZE, size);
        }
        if (ByReference.class.isAssignableFrom(type)) {
            return AbiType.pointer(POINTER_SIZE, referencedSize(type));
        }
        if (type == String.class) {
            return AbiType.pointer(POINTER_SIZE, 1);
        }
        if (type == WString.class) {
            return AbiType.pointer(POINTER_SIZE, WCHAR_SIZE);
        }
        if (type.isArray()) {
            return AbiType.pointer(POINTER_SIZE, element(type.getComponentType()).size());
        }
        if (Pointer.class.isAssignableFrom(type) || PointerType.class.isAssignableFrom(type)
            || Buffer.class.isAssignableFrom(type) || Callback.class.isAssignableFrom(type)) {
            return AbiType.pointer(POINTER_SIZE, AbiType.UNKNOWN_POINTEE);
        }
        return AbiType.integer(element(type).size());
    }

    /**
     * The size and alignment of a value of this type inside a structure or an array.
     *
     * @param type a field or array element type.
     * @return its Win64 size and alignment.
     * @throws IllegalArgumentException for a type JNA cannot lay out.
     */
    static Layout element(final Class<?> type) {
        if (type == byte.class || type == Byte.class) {
            return new Layout(1, 1, Map.of());
        }
        if (type == short.class || type == Short.class) {
            return new Layout(2, 2, Map.of());
        }
        if (type == char.class || type == Character.class) {
            return new Layout(WCHAR_SIZE, WCHAR_SIZE, Map.of());
        }
        if (type == int.class || type == Integer.class || type == float.class || type == Float.class) {
            return new Layout(4, 4, Map.of());
        }
        if (type == boolean.class || type == Boolean.class) {
            return new Layout(BOOL_SIZE, BOOL_SIZE, Map.of());
        }
        if (type == long.class || type == Long.class || type == double.class || type == Double.class) {
            return new Layout(8, 8, Map.of());
        }
        if (NativeLong.class.isAssignableFrom(type)) {
            return new Layout(LONG_SIZE, LONG_SIZE, Map.of());
        }
        if (IntegerType.class.isAssignableFrom(type)) {
            // the instance's width, which the subclass chose (jna-platform's LONG chooses C long: Linux's 8 bytes)
            return element(((IntegerType) instantiate(type)).nativeType());
        }
        if (Structure.class.isAssignableFrom(type) && !Structure.ByReference.class.isAssignableFrom(type)) {
            return layout(type.asSubclass(Structure.class));
        }
        if (Pointer.class.isAssignableFrom(type) || PointerType.class.isAssignableFrom(type) || type == String.class
            || type == WString.class || Structure.class.isAssignableFrom(type) || Callback.class.isAssignableFrom(type)
            || Buffer.class.isAssignableFrom(type)) {
            return new Layout(POINTER_SIZE, POINTER_SIZE, Map.of());
        }
        throw new IllegalArgumentException("no Win64 layout for this type: type=" + type.getName());
    }

    /**
     * Computes a structure's Win64 layout from its field types (instantiating it only to learn array lengths and
     * field order).
     *
     * @param type the JNA structure.
     * @return its size, alignment and each field's offset and size, in field order.
     */
    static Layout layout(final Class<? extends Structure> type) {
        final Structure instance = (Structure) instantiate(type);
        final boolean union = Union.class.isAssignableFrom(type);
        final Map<String, FieldLayout> fields = new LinkedHashMap<>();
        int offset = 0;
        int alignment = 1;
        int size = 0;
        for (final String name : fieldOrder(type)) {
            final Field field = field(type, name);
            final Layout element;
            int count = 1;
            if (field.getType().isArray()) {
                element = element(field.getType().getComponentType());
                count = java.lang.reflect.Array.getLength(read(field, instance));
            } else {
                element = element(field.getType());
            }
            final int at = union ? 0 : align(offset, element.alignment());
            fields.put(name, new FieldLayout(name, at, element.size() * count));
            offset = at + element.size() * count;
            size = Math.max(size, offset);
            alignment = Math.max(alignment, element.alignment());
        }
        return new Layout(align(size, alignment), alignment, fields);
    }

    /**
     * JNA's own layout of the structure on this JVM (Linux x86-64 here), for comparison with {@link #layout}: its
     * size, and each field's offset (field sizes are not recorded: 0).
     *
     * @param type the JNA structure.
     * @return the layout JNA computed.
     */
    static Layout jnaLayout(final Class<? extends Structure> type) {
        final Structure instance = (Structure) instantiate(type);
        final Map<String, FieldLayout> fields = new LinkedHashMap<>();
        try {
            final java.lang.reflect.Method fieldOffset = Structure.class.getDeclaredMethod("fieldOffset", String.class);
            fieldOffset.setAccessible(true);
            for (final String name : fieldOrder(type)) {
                fields.put(name, new FieldLayout(name, (Integer) fieldOffset.invoke(instance, name), 0));
            }
        } catch (final ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot read JNA's layout: type=" + type.getName(), ex);
        }
        return new Layout(instance.size(), 0, fields);
    }

    private static List<String> fieldOrder(final Class<? extends Structure> type) {
        for (Class<?> c = type; c != null && c != Structure.class; c = c.getSuperclass()) {
            final Structure.FieldOrder order = c.getAnnotation(Structure.FieldOrder.class);
            if (order != null) {
                return List.of(order.value());
            }
        }
        final List<String> names = new ArrayList<>();
        for (final Field field : type.getFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                names.add(field.getName());
            }
        }
        return names;
    }

    private static Field field(final Class<?> type, final String name) {
        try {
            return type.getField(name);
        } catch (final NoSuchFieldException ex) {
            throw new IllegalArgumentException("field in @FieldOrder is not a public field: type=" + type.getName()
                + ", field=" + name, ex);
        }
    }

    private static Object read(final Field field, final Object instance) {
        try {
            final Object value = field.get(instance);
            if (value == null) {
                throw new IllegalArgumentException("array field not initialized, its length is unknown: field="
                    + field);
            }
            return value;
        } catch (final IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static int referencedSize(final Class<?> type) {
        if (NativeLongByReference.class.isAssignableFrom(type)) {
            return LONG_SIZE;
        }
        final Pointer memory = ((ByReference) instantiate(type)).getPointer();
        if (memory instanceof Memory allocated) {
            return (int) allocated.size();
        }
        return AbiType.UNKNOWN_POINTEE;
    }

    private static Object instantiate(final Class<?> type) {
        try {
            final var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (final NoSuchMethodException | InstantiationException | IllegalAccessException
            | InvocationTargetException ex) {
            throw new IllegalArgumentException("needs a no-argument constructor to be measured: type="
                + type.getName(), ex);
        }
    }

    private static int align(final int offset, final int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /**
     * A type's size and alignment, and for a structure its fields in order.
     *
     * @param size      bytes.
     * @param alignment bytes (0 where unknown).
     * @param fields    the fields by name, in order; empty for a scalar.
     */
    record Layout(int size, int alignment, Map<String, FieldLayout> fields) {
    }

    /**
     * One field of a structure.
     *
     * @param name   the field's name.
     * @param offset its offset.
     * @param size   its size (for an array, all its elements).
     */
    record FieldLayout(String name, int offset, int size) {
    }
}
