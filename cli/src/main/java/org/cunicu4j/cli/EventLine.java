package org.cunicu4j.cli;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * {@code cunicu4j monitor}'s text form of an event, one line:
 * {@code 2026-11-25T12:00:00.123Z peer_state_changed wg0 AQEBAQEB…: checking → connected (message)}.
 * Control characters are shown escaped ({@link Units#printable}). Stateless.
 */
final class EventLine {
    private EventLine() {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    static String render(DaemonEvent e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.time() == null ? "-" : TIME.format(e.time())).append(' ')
                .append(e.type().name().toLowerCase(Locale.ROOT));
        if (e.iface() != null) {
            sb.append(' ').append(e.iface());
        }
        if (e.peer() != null) {
            sb.append(' ').append(StatusTable.shortKey(e.peer()));
        }
        if (e.from() != null || e.to() != null) {
            sb.append(": ").append(e.from() == null ? "-" : e.from()).append(" → ").append(e.to() == null ? "-" : e.to());
        }
        if (e.message() != null && !e.message().isEmpty()) {
            sb.append(e.from() != null || e.to() != null ? " (" + e.message() + ")" : ": " + e.message());
        }
        return Units.printable(sb.toString()); // a message from afar cannot drive the terminal
    }
}
