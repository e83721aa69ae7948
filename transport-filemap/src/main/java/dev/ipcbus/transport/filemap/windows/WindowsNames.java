// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.spi.NodeIds;

/**
 * Names of the Windows filemap objects.
 * <p>
 * Objects live in the {@code Local\} namespace (the current logon session; {@code Global\} would need
 * {@code SeCreateGlobalPrivilege}). Their security descriptor is
 * {@link dev.ipcbus.platform.windows.CurrentUserSecurity}'s: no other account, not even Everyone or Anonymous, can
 * open them.
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
}
