package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.spi.NodeIds;

/**
 * Names and security descriptors of the Windows filemap objects.
 * <p>
 * Objects live in the {@code Local\} namespace (the current logon session; {@code Global\} would need
 * {@code SeCreateGlobalPrivilege}). Their DACL is protected (no inherited entries) and holds one entry granting
 * {@code GENERIC_ALL} to the current user's SID, so no other account, not even Everyone or Anonymous, can open them.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class WindowsNames {
    /** Namespace prefix of every object. */
    public static final String NAMESPACE = "Local\\";
    /** Suffix of the doorbell event's name. */
    public static final String DOORBELL_SUFFIX = "-bell";
    /** Longest object name Windows accepts ({@code MAX_PATH}). */
    public static final int MAX_NAME_LENGTH = 260;

    private WindowsNames() {
    }

    /**
     * @param busName the bus name ({@code [A-Za-z0-9_.-]}).
     * @param nodeId  the node.
     * @return the mapping name {@code Local\ipcbus-<bus>-<nodehex>}.
     */
    public static String mappingName(final String busName, final long nodeId) {
        final String name = NAMESPACE + "ipcbus-" + busName + "-" + NodeIds.format(nodeId);
        if (name.length() + DOORBELL_SUFFIX.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("filemap object name too long: name=" + name);
        }
        return name;
    }

    /**
     * @param mappingName a mapping name.
     * @return its doorbell event's name.
     */
    public static String eventName(final String mappingName) {
        return mappingName + DOORBELL_SUFFIX;
    }

    /**
     * Builds the SDDL of a security descriptor whose DACL admits only {@code sid}: {@code D:P(A;;GA;;;<sid>)}.
     *
     * @param sid a string SID, e.g. {@code S-1-5-21-1-2-3-1001}.
     * @return the SDDL.
     * @throws IllegalArgumentException if {@code sid} is not a string SID (which would otherwise change the DACL).
     */
    public static String currentUserOnlySddl(final String sid) {
        if (sid == null || !sid.matches("S-1-[0-9]+(-[0-9]+)+")) {
            throw new IllegalArgumentException("not a string SID: sid=" + sid);
        }
        return "D:P(A;;GA;;;" + sid + ")";
    }
}
