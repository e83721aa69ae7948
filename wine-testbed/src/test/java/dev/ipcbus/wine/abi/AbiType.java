// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

/**
 * How a value crosses the Win64 calling convention, as far as an ABI mismatch can show: {@code void}, an integer of a
 * width, a pointer (of a width) to something of a width, or a structure passed by value. The text form is the ABI
 * probe's: {@code void}, {@code i4}, {@code p8>4}, {@code p8>void} (points to {@code void}: anything goes),
 * {@code p8>?} (JNA side: pointee unknown, as for {@code Pointer}), {@code s24} (by value).
 * <p>
 * <b>Thread safety:</b> immutable.
 *
 * @param kind    what it is.
 * @param size    its width in bytes (0 for {@code void}).
 * @param pointee for a pointer, the width of what it points to; {@link #VOID_POINTEE} or {@link #UNKNOWN_POINTEE}.
 */
record AbiType(Kind kind, int size, int pointee) {
    /** Pointee of a {@code void *} in C: any pointer matches it. */
    static final int VOID_POINTEE = -1;
    /** Pointee of a JNA {@code Pointer}, {@code PointerType} or buffer: unknown, so any pointer matches it. */
    static final int UNKNOWN_POINTEE = -2;
    /** {@code void}, as a return type. */
    static final AbiType VOID = new AbiType(Kind.VOID, 0, 0);

    /** The kinds of type. */
    enum Kind {
        /** No value. */
        VOID,
        /** An integer (or BOOL, or enum) of {@code size} bytes. */
        INTEGER,
        /** A pointer of {@code size} bytes. */
        POINTER,
        /** A structure of {@code size} bytes passed by value. */
        STRUCTURE
    }

    static AbiType integer(final int size) {
        return new AbiType(Kind.INTEGER, size, 0);
    }

    static AbiType pointer(final int size, final int pointee) {
        return new AbiType(Kind.POINTER, size, pointee);
    }

    static AbiType structure(final int size) {
        return new AbiType(Kind.STRUCTURE, size, 0);
    }

    /**
     * @param text the probe's form, e.g. {@code p8>void}.
     * @return the type.
     * @throws IllegalArgumentException if the text is not one.
     */
    static AbiType parse(final String text) {
        try {
            if (text.equals("void")) {
                return VOID;
            }
            if (text.startsWith("i")) {
                return integer(Integer.parseInt(text.substring(1)));
            }
            if (text.startsWith("s")) {
                return structure(Integer.parseInt(text.substring(1)));
            }
            final int arrow = text.indexOf('>');
            if (text.startsWith("p") && arrow > 1) {
                final String to = text.substring(arrow + 1);
                final int pointee = to.equals("void") ? VOID_POINTEE : to.equals("?") ? UNKNOWN_POINTEE
                    : Integer.parseInt(to);
                return pointer(Integer.parseInt(text.substring(1, arrow)), pointee);
            }
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException("not an ABI type: text=" + text, ex);
        }
        throw new IllegalArgumentException("not an ABI type: text=" + text);
    }

    /**
     * Whether a value declared with this (JNA) type is passed as the header's type requires: same kind and width, and
     * for pointers the same pointee width unless either side does not say ({@code void *}, {@code Pointer}).
     *
     * @param header the type the header declares.
     * @return {@code true} if they agree.
     */
    boolean matches(final AbiType header) {
        if (kind != header.kind || size != header.size) {
            return false;
        }
        return kind != Kind.POINTER || pointee == header.pointee || pointee < 0 || header.pointee < 0;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case VOID -> "void";
            case INTEGER -> "i" + size;
            case STRUCTURE -> "s" + size;
            case POINTER -> "p" + size + ">"
                + (pointee == VOID_POINTEE ? "void" : pointee == UNKNOWN_POINTEE ? "?" : Integer.toString(pointee));
        };
    }
}
