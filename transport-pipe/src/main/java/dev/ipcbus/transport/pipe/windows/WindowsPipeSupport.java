package dev.ipcbus.transport.pipe.windows;

/**
 * Probes whether the Windows pipe layer can run: JNA loads kernel32 and advapi32 and the current user's SID can be
 * read (needed for the pipes' security descriptor). Computed once, on first use, cached; call it on Windows only.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsPipeSupport {
    private WindowsPipeSupport() {
    }

    /**
     * @return {@code true} if the layer can run here.
     */
    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /**
     * @return why the layer cannot run here, or {@code null}.
     */
    public static String unavailabilityCause() {
        return Probe.CAUSE;
    }

    /** Runs the probe on first use only. */
    private static final class Probe {
        static final String CAUSE = probe();

        private Probe() {
        }

        private static String probe() {
            try {
                final String sid = new JnaWin32PipeApi().currentUserSid();
                PipeSecurity.currentUserOnly(sid);
                return null;
            } catch (final LinkageError | RuntimeException ex) {
                return "named pipes unavailable: " + ex;
            }
        }
    }
}
