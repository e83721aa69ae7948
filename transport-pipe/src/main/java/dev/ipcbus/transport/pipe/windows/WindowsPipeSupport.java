package dev.ipcbus.transport.pipe.windows;

/**
 * Probes whether the Windows pipe layer can run. Placeholder until the layer lands.
 */
public final class WindowsPipeSupport {
    private WindowsPipeSupport() {
    }

    /**
     * @return why the layer cannot run, or {@code null}.
     */
    public static String unavailabilityCause() {
        return "Windows pipe layer not built yet";
    }
}
