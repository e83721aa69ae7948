// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.ConfigurationException;

import java.util.regex.Pattern;

/**
 * Maps bus topics to NATS subjects and back: a topic {@code orders.created} of bus {@code shop} is the subject
 * {@code shop.orders.created} (the prefix is the bus name unless the URI option {@code subjectPrefix} names another),
 * so two buses on one server never mix and any NATS client reads the bus with {@code nats sub 'shop.>'}. Patterns map
 * the same way: the bus's {@code *} and {@code >} are NATS's. The node listing uses
 * {@code _IPCBUS.NODES.<prefix>}.
 * <p>
 * <b>Thread safety:</b> immutable.
 */
final class NatsSubjects {
    /** One or more dot-separated tokens of printable ASCII other than the wildcards. */
    private static final Pattern PREFIX = Pattern.compile("[!-~&&[^.*>]]+(\\.[!-~&&[^.*>]]+)*");

    private final String prefix;
    /**
     * The last topic mapped and its subject: a publisher usually sends on one topic many times in a row. Written
     * without ordering: {@link Last} is immutable (final fields), so a thread sees either an older pair or a newer
     * one, each consistent.
     */
    private Last last = new Last("", "");

    /**
     * @param prefix the subject prefix (the bus name by default).
     * @throws ConfigurationException if it is not one or more NATS tokens without wildcards.
     */
    NatsSubjects(final String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new ConfigurationException("bad subjectPrefix (dot-separated tokens of printable ASCII, no '*' or"
                + " '>'): subjectPrefix=" + prefix);
        }
        this.prefix = prefix;
    }

    /**
     * @return the prefix.
     */
    String prefix() {
        return prefix;
    }

    /**
     * @param topic a validated topic or pattern.
     * @return its subject.
     */
    String subject(final String topic) {
        final Last last = this.last;
        if (last.topic.equals(topic)) {
            return last.subject;
        }
        final String subject = prefix + '.' + topic;
        this.last = new Last(topic, subject);
        return subject;
    }

    /**
     * @param subject a subject received on a subscription of this bus.
     * @return its topic, or {@code null} if it is not under this bus's prefix.
     */
    String topic(final String subject) {
        return subject.length() > prefix.length() + 1 && subject.startsWith(prefix)
            && subject.charAt(prefix.length()) == '.' ? subject.substring(prefix.length() + 1) : null;
    }

    /**
     * @return the subject on which every node of this bus answers a listing request.
     */
    String nodesSubject() {
        return "_IPCBUS.NODES." + prefix;
    }

    /** A topic and its subject. */
    private record Last(String topic, String subject) {
    }
}
