// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;

/**
 * How to open a {@link Bus}: the URI (which picks the transport), the Jackson {@link ObjectMapper}, the
 * {@link ErrorHandler} and a few process-level settings.
 * <p>
 * The URI comes from, in order: {@link Builder#uri(String)}; the system property {@value #URI_PROPERTY}; the
 * environment variable {@value #URI_ENV}; the key {@value #URI_PROPERTY} in {@value #PROPERTIES_RESOURCE} on the class
 * path; {@value #DEFAULT_URI}. {@link #uriSource()} says which one won.
 * <p>
 * <b>Thread safety:</b> immutable.
 */
public final class BusConfig {
    /** The URI used when nothing else names one. */
    public static final String DEFAULT_URI = "filemap://default";
    /** System property (and properties-file key) naming the bus URI. */
    public static final String URI_PROPERTY = "ipcbus.uri";
    /** Environment variable naming the bus URI. */
    public static final String URI_ENV = "IPCBUS_URI";
    /** Class-path resource read for {@value #URI_PROPERTY}. */
    public static final String PROPERTIES_RESOURCE = "ipcbus.properties";
    /** System property overriding the per-user runtime directory (registry files, socket files). */
    public static final String RUNTIME_DIR_PROPERTY = "ipcbus.runtimeDir";
    /**
     * Environment variable overriding the per-user runtime directory, for clients in any language; the system property
     * {@value #RUNTIME_DIR_PROPERTY} takes precedence over it in Java.
     */
    public static final String RUNTIME_DIR_ENV = "IPCBUS_RUNTIME_DIR";

    private final BusUri uri;
    private final String uriSource;
    private final ObjectMapper objectMapper;
    private final ErrorHandler errorHandler;
    private final Path runtimeDirectory;
    private final String nodeName;

    private BusConfig(final Builder builder) {
        final String[] source = new String[1];
        final String text = builder.uri != null ? builder.uri : resolveUri(source);
        this.uriSource = builder.uri != null ? builder.uriSource : source[0];
        try {
            this.uri = BusUri.parse(text);
        } catch (final ConfigurationException ex) {
            throw new ConfigurationException(ex.getMessage() + ", source=" + uriSource, ex);
        }
        this.objectMapper = builder.objectMapper;
        this.errorHandler = builder.errorHandler;
        this.runtimeDirectory = builder.runtimeDirectory;
        this.nodeName = builder.nodeName;
    }

    private static String resolveUri(final String[] source) {
        final String property = System.getProperty(URI_PROPERTY);
        if (property != null && !property.isBlank()) {
            source[0] = "system property " + URI_PROPERTY;
            return property;
        }
        final String env = System.getenv(URI_ENV);
        if (env != null && !env.isBlank()) {
            source[0] = "environment variable " + URI_ENV;
            return env;
        }
        final ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
            ? Thread.currentThread().getContextClassLoader() : BusConfig.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(PROPERTIES_RESOURCE)) {
            if (in != null) {
                final Properties properties = new Properties();
                properties.load(in);
                final String value = properties.getProperty(URI_PROPERTY);
                if (value != null && !value.isBlank()) {
                    source[0] = "class path " + PROPERTIES_RESOURCE;
                    return value;
                }
            }
        } catch (final IOException | IllegalArgumentException ex) {
            throw new ConfigurationException("cannot read " + PROPERTIES_RESOURCE + ": " + ex.getMessage(), ex);
        }
        source[0] = "default";
        return DEFAULT_URI;
    }

    /**
     * @return a builder with every setting at its default.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the bus URI.
     */
    public BusUri uri() {
        return uri;
    }

    /**
     * @return where the URI came from: {@code code}, {@code system property ipcbus.uri},
     * {@code environment variable IPCBUS_URI}, {@code class path ipcbus.properties} or {@code default}.
     */
    public String uriSource() {
        return uriSource;
    }

    /**
     * @return the mapper to use, or {@code null} for the bus's default (JSON, java.time support, unknown properties
     * ignored).
     */
    public ObjectMapper objectMapper() {
        return objectMapper;
    }

    /**
     * @return the error handler, or {@code null} for the default (logs through SLF4J).
     */
    public ErrorHandler errorHandler() {
        return errorHandler;
    }

    /**
     * @return the runtime directory override, or {@code null} for the default: the system property
     * {@value #RUNTIME_DIR_PROPERTY}, else the environment variable {@value #RUNTIME_DIR_ENV}, else
     * {@code $XDG_RUNTIME_DIR/ipcbus}, else {@code %LOCALAPPDATA%\ipcbus} on Windows, else
     * {@code ${TMPDIR:-/tmp}/ipcbus-<user>} (see {@link dev.ipcbus.registry.RuntimeDirectory}).
     */
    public Path runtimeDirectory() {
        return runtimeDirectory;
    }

    /**
     * @return a human-readable name for this node in introspection, or {@code null} for the main class name.
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * Builds a {@link BusConfig}.
     * <p>
     * <b>Thread safety:</b> not thread-safe; confine to one thread.
     */
    public static final class Builder {
        private String uri;
        private String uriSource = "code";
        private ObjectMapper objectMapper;
        private ErrorHandler errorHandler;
        private Path runtimeDirectory;
        private String nodeName;

        private Builder() {
        }

        /**
         * @param uri the bus URI, e.g. {@code "pipe://shop"}; {@code null} resolves it from the environment.
         * @return this builder.
         */
        public Builder uri(final String uri) {
            return uri(uri, "code");
        }

        /**
         * @param uri    the bus URI; {@code null} resolves it from the environment.
         * @param source where the URI came from, named in configuration errors (e.g. {@code "option --transport"}).
         * @return this builder.
         */
        public Builder uri(final String uri, final String source) {
            this.uri = uri;
            this.uriSource = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * @param objectMapper the Jackson mapper for messages; the bus does not modify it.
         * @return this builder.
         */
        public Builder objectMapper(final ObjectMapper objectMapper) {
            this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
            return this;
        }

        /**
         * @param errorHandler receives failures on background threads.
         * @return this builder.
         */
        public Builder errorHandler(final ErrorHandler errorHandler) {
            this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
            return this;
        }

        /**
         * @param runtimeDirectory the per-user directory for registry and socket files; every process of the bus
         *                         must use the same one.
         * @return this builder.
         */
        public Builder runtimeDirectory(final Path runtimeDirectory) {
            this.runtimeDirectory = Objects.requireNonNull(runtimeDirectory, "runtimeDirectory");
            return this;
        }

        /**
         * @param nodeName a human-readable name shown by introspection tools.
         * @return this builder.
         */
        public Builder nodeName(final String nodeName) {
            this.nodeName = nodeName;
            return this;
        }

        /**
         * @return the configuration.
         * @throws ConfigurationException if the URI is malformed (the message names its source).
         */
        public BusConfig build() {
            return new BusConfig(this);
        }
    }
}
