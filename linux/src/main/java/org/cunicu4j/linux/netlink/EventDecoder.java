package org.cunicu4j.linux.netlink;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.cunicu4j.linux.netlink.NetlinkEvent.AddressEvent;
import org.cunicu4j.linux.netlink.NetlinkEvent.Change;
import org.cunicu4j.linux.netlink.NetlinkEvent.LinkEvent;

/**
 * Turns received rtnetlink datagrams into {@link NetlinkEvent}s. Never throws on bad
 * input: what it cannot parse it counts in {@link #malformed()} and skips. Remembers the
 * addresses it has seen to tell {@link Change#ADDED} from {@link Change#CHANGED}.
 * Not thread-safe: one decoder per receiving thread.
 */
final class EventDecoder {
    private final MessageCursor cursor = new MessageCursor();
    private final AttrCursor attrs = new AttrCursor();
    private final Set<LinkAddress> known = new HashSet<>();
    private long malformed;
    private long boundsEscapes;

    /** Decodes {@code buf[0, length)} and hands each event to {@code sink}. */
    void decode(MemorySegment buf, long length, Consumer<? super NetlinkEvent> sink) {
        cursor.reset(buf, length);
        while (cursor.next()) {
            NetlinkEvent event;
            try {
                event = parse();
            } catch (IndexOutOfBoundsException e) {
                // A bound the parser missed: still dropped, but counted apart so tests see it.
                event = null;
                boundsEscapes++;
            }
            if (event != null) {
                sink.accept(event);
            }
        }
        if (cursor.malformed()) {
            malformed++;
        }
    }

    /**
     * Tells {@code sink} that the kernel dropped events ({@link NetlinkEvent.Overrun}) and
     * forgets the addresses seen so far: after a loss, ADDED and CHANGED can no longer be
     * told apart from history, so the next report of each address counts as ADDED again.
     */
    void overrun(long overruns, Consumer<? super NetlinkEvent> sink) {
        known.clear();
        sink.accept(new NetlinkEvent.Overrun(overruns));
    }

    /** Messages (or datagram tails) skipped as malformed so far, bounds escapes included. */
    long malformed() {
        return malformed + boundsEscapes;
    }

    /**
     * Messages whose parsing ran out of bounds (an {@link IndexOutOfBoundsException} the
     * parser's own checks missed): always a parser bug, which the fuzz tests assert never happens.
     */
    long boundsEscapes() {
        return boundsEscapes;
    }

    private NetlinkEvent parse() {
        int type = cursor.type();
        if (type == Nl.RTM_NEWLINK || type == Nl.RTM_DELLINK) {
            Link link = RtParser.link(cursor, attrs);
            if (link == null) {
                malformed++;
                return null;
            }
            Change change = type == Nl.RTM_DELLINK ? Change.REMOVED
                    : RtParser.linkChangeMask(cursor) == -1 ? Change.ADDED : Change.CHANGED;
            return new LinkEvent(change, link);
        }
        if (type == Nl.RTM_NEWADDR || type == Nl.RTM_DELADDR) {
            LinkAddress address = RtParser.address(cursor, attrs);
            if (address == null) {
                malformed++;
                return null;
            }
            Change change;
            if (type == Nl.RTM_DELADDR) {
                known.remove(address);
                change = Change.REMOVED;
            } else {
                change = known.add(address) ? Change.ADDED : Change.CHANGED;
            }
            return new AddressEvent(change, address);
        }
        return null; // NOOP, DONE, or a message of a group we did not ask for
    }
}
