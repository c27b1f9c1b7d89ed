package org.cunicu4j.linux.netlink;

/**
 * What a {@link NetlinkSubscription} delivers: a change of a link or an address, or
 * word that changes were lost ({@link Overrun}).
 */
public sealed interface NetlinkEvent {

    /** What happened to the link or address. */
    enum Change {
        /** A new link, or an address this subscription had not seen before. */
        ADDED,
        /** A known link or address whose attributes (flags, MTU, lifetimes) changed. */
        CHANGED,
        /** The link or address is gone. */
        REMOVED
    }

    /** A link appeared, changed (up/down, MTU, name) or disappeared. */
    record LinkEvent(Change change, Link link) implements NetlinkEvent {}

    /** An address appeared on, changed on, or left a link. */
    record AddressEvent(Change change, LinkAddress address) implements NetlinkEvent {}

    /**
     * The kernel dropped events because the subscription's socket buffer overflowed
     * ({@code ENOBUFS}): the listener's picture may be stale, so it should re-dump links and
     * addresses ({@link RtNetlink}) to resynchronise. After an overrun the subscription has
     * forgotten which addresses it saw, so each address reported next is {@link Change#ADDED}.
     *
     * @param overruns how many overruns this subscription has seen, this one included
     */
    record Overrun(long overruns) implements NetlinkEvent {}
}
