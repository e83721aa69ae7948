// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.BusConfig;
import dev.ipcbus.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the runtime directory is, in the documented order: configuration, system property, environment variable,
 * {@code XDG_RUNTIME_DIR} (only the user's own, not writable by others), then {@code ${TMPDIR:-/tmp}/ipcbus-<user>}.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class RuntimeDirectoryTest {
    @TempDir
    Path temp;

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();

    private Path base(final Path override) {
        return RuntimeDirectory.base(override, properties::get, environment::get);
    }

    @Test
    void shouldPreferTheConfigurationThenThePropertyThenTheEnvironmentVariable() throws Exception {
        final Path xdg = Files.createDirectory(temp.resolve("xdg"),
            PosixFilePermissions.asFileAttribute(RuntimeDirectory.DIRECTORY_MODE));
        environment.put("XDG_RUNTIME_DIR", xdg.toString());
        assertEquals(xdg.resolve("ipcbus"), base(null));
        environment.put(BusConfig.RUNTIME_DIR_ENV, temp.resolve("env").toString());
        assertEquals(temp.resolve("env"), base(null));
        properties.put(BusConfig.RUNTIME_DIR_PROPERTY, temp.resolve("property").toString());
        assertEquals(temp.resolve("property"), base(null));
        assertEquals(temp.resolve("config"), base(temp.resolve("config")));
    }

    @Test
    void shouldRefuseAnXdgRuntimeDirectoryOthersCanWrite() throws Exception {
        final Path xdg = Files.createDirectory(temp.resolve("xdg"));
        Files.setPosixFilePermissions(xdg, PosixFilePermissions.fromString("rwxrwxrwx"));
        environment.put("XDG_RUNTIME_DIR", xdg.toString());
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> base(null));
        assertTrue(ex.getMessage().startsWith("XDG_RUNTIME_DIR is writable by group or others"), ex.getMessage());
        assertTrue(ex.getMessage().contains("mode=rwxrwxrwx") && ex.getMessage().contains("IPCBUS_RUNTIME_DIR"),
            ex.getMessage());
        environment.put(BusConfig.RUNTIME_DIR_ENV, temp.resolve("env").toString());
        assertEquals(temp.resolve("env"), base(null), "the override is the way out");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldRefuseAnXdgRuntimeDirectoryOwnedByAnotherUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "needs root to give a directory to user nobody");
        final Path xdg = Files.createDirectory(temp.resolve("xdg"),
            PosixFilePermissions.asFileAttribute(RuntimeDirectory.DIRECTORY_MODE));
        Files.setOwner(xdg, xdg.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        environment.put("XDG_RUNTIME_DIR", xdg.toString());
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> base(null));
        assertTrue(ex.getMessage().startsWith("XDG_RUNTIME_DIR belongs to another user"), ex.getMessage());
        assertTrue(ex.getMessage().contains("owner=nobody"), ex.getMessage());
    }

    @Test
    void shouldFallBackToTmpdirOrTmpWhenXdgRuntimeDirIsUnusable() {
        final String user = RuntimeDirectory.userName();
        assertEquals(Paths.get("/tmp", "ipcbus-" + user), base(null));
        environment.put("XDG_RUNTIME_DIR", temp.resolve("missing").toString());
        assertEquals(Paths.get("/tmp", "ipcbus-" + user), base(null), "not an existing directory: skipped");
        environment.put("XDG_RUNTIME_DIR", "relative/dir");
        environment.put("TMPDIR", temp.toString());
        assertEquals(temp.resolve("ipcbus-" + user), base(null), "relative: skipped; TMPDIR used");
        environment.put("TMPDIR", "relative");
        assertEquals(Paths.get("/tmp", "ipcbus-" + user), base(null), "a relative TMPDIR is ignored");
    }
}
