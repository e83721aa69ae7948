// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import org.junit.jupiter.api.Assumptions;

/**
 * Wine's known departures from documented Windows behaviour (measured with Wine 8.0), and the rule for tests that
 * meet one: the test first observes the behaviour; if it is the known Wine deviation, the test is <em>skipped with
 * that reason</em> (never passed); otherwise it asserts the Windows behaviour, so it starts verifying it the day Wine
 * (or a real Windows run) behaves as documented.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public enum WineDeviation {
    /** {@code FILE_FLAG_FIRST_PIPE_INSTANCE} is ignored: a second server becomes another instance. */
    FIRST_PIPE_INSTANCE_IGNORED("FILE_FLAG_FIRST_PIPE_INSTANCE is ignored by Wine: a second CreateNamedPipe with it "
        + "succeeds (Windows: ERROR_ACCESS_DENIED), so a pipe-name squatter cannot be detected under Wine"),
    /** A mailslot read into a short buffer truncates the message instead of failing. */
    MAILSLOT_SHORT_READ_TRUNCATES("a mailslot ReadFile into a buffer shorter than the message truncates it and drops "
        + "the rest under Wine (Windows: fails with ERROR_INSUFFICIENT_BUFFER and keeps the message)"),
    /** {@code GetMailslotInfo}'s message count never exceeds 1. */
    MAILSLOT_COUNT_TOPS_AT_ONE("GetMailslotInfo's lpMessageCount tops out at 1 under Wine (Windows: the number of "
        + "queued messages)"),
    /** {@code nMaxMessageSize} of a mailslot is not enforced. */
    MAILSLOT_MAX_SIZE_NOT_ENFORCED("CreateMailslot's nMaxMessageSize is not enforced by Wine: a longer write succeeds "
        + "(Windows: the write fails)"),
    /** A zero-length mailslot message reads as a broken pipe. */
    MAILSLOT_EMPTY_MESSAGE_BROKEN_PIPE("a zero-length mailslot message reads as ERROR_BROKEN_PIPE under Wine "
        + "(Windows: a successful read of 0 bytes)"),
    /** A mailslot write into a slot whose reader stopped blocks instead of queueing or failing. */
    MAILSLOT_WRITE_BLOCKS_WHEN_FULL("Wine backs a mailslot with a Unix datagram socket, so a WriteFile into a "
        + "slot whose reader stopped blocks once the socket buffer is full, until the reader reads (Windows: the "
        + "message is queued, or the write fails at once with a quota error such as ERROR_NOT_ENOUGH_QUOTA, which "
        + "the mailslot layer turns into BACK_PRESSURED)"),
    /** {@code CancelIoEx} with nothing to cancel succeeds. */
    CANCEL_WITH_NOTHING_PENDING_SUCCEEDS("CancelIoEx(h, NULL) with no I/O pending returns TRUE under Wine (Windows: "
        + "FALSE with ERROR_NOT_FOUND)"),
    /** Object security descriptors are stored but not enforced between users (Wine runs everything as one user). */
    ACCESS_CHECKS_SINGLE_USER("Wine runs every process as one user and does not enforce a DACL against another "
        + "account, so 'only the current user can open it' is verified as the descriptor applied, not as a refusal");

    private final String reason;

    WineDeviation(final String reason) {
        this.reason = reason;
    }

    /**
     * @return what Wine does differently, and what Windows does.
     */
    public String reason() {
        return reason;
    }

    /**
     * Skips the calling test with this deviation's reason if {@code observed} is true.
     *
     * @param observed whether the behaviour just observed is this deviation.
     */
    public void skipIf(final boolean observed) {
        Assumptions.assumeFalse(observed, () -> "Wine deviation " + name() + ": " + reason);
    }
}
