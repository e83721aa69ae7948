// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;

/**
 * The {@code ipcbus.*} properties. Unset ones fall back to what {@link dev.ipcbus.Bus#open()} would use: the URI from
 * the system property {@code ipcbus.uri}, {@code IPCBUS_URI}, {@code ipcbus.properties} or {@code filemap://default};
 * the runtime directory from {@code IPCBUS_RUNTIME_DIR} and the platform default.
 */
@ConfigurationProperties("ipcbus")
public class IpcbusProperties {
    /** The bus URI, e.g. {@code filemap://shop?publishTimeout=2s} or {@code nats://host:4222/shop}. */
    private String uri;
    /** A name for this node, shown by {@code ipcbus-demo stat}; defaults to the application name. */
    private String nodeName;
    /** The per-user runtime directory; every process of the bus must use the same one. */
    private Path runtimeDirectory;

    /** @return the bus URI, or {@code null} for the environment's. */
    public String getUri() {
        return uri;
    }

    /** @param uri the bus URI. */
    public void setUri(final String uri) {
        this.uri = uri;
    }

    /** @return the node name, or {@code null}. */
    public String getNodeName() {
        return nodeName;
    }

    /** @param nodeName the node name. */
    public void setNodeName(final String nodeName) {
        this.nodeName = nodeName;
    }

    /** @return the runtime directory, or {@code null} for the default. */
    public Path getRuntimeDirectory() {
        return runtimeDirectory;
    }

    /** @param runtimeDirectory the runtime directory. */
    public void setRuntimeDirectory(final Path runtimeDirectory) {
        this.runtimeDirectory = runtimeDirectory;
    }
}
