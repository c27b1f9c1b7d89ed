package org.cunicu4j.linux.netlink;

/** A change of a link or an address, as a {@link NetlinkSubscription} delivers it. */
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

    Change change();

    /** A link appeared, changed (up/down, MTU, name) or disappeared. */
    record LinkEvent(Change change, Link link) implements NetlinkEvent {}

    /** An address appeared on, changed on, or left a link. */
    record AddressEvent(Change change, LinkAddress address) implements NetlinkEvent {}
}
