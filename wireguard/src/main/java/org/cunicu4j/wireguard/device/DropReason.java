package org.cunicu4j.wireguard.device;

/** Why a device dropped a packet; each has a counter in {@link DeviceCounters}. */
public enum DropReason {
    /** A datagram shorter than its message type needs, or of the wrong size. */
    TRUNCATED,
    /** A datagram that is no WireGuard message (unknown type, non-zero reserved bytes). */
    UNKNOWN_TYPE,
    /** A handshake message whose MAC1 (or, under load, MAC2) is wrong. */
    BAD_MAC,
    /** A handshake message dropped because its source sent too many (per-IP rate limit) or the queue was full. */
    RATE_LIMITED,
    /** A handshake message that authenticated badly or named an unknown peer. */
    HANDSHAKE_INVALID,
    /**
     * An initiation that crossed our own, still awaiting its response: both ends sent one at
     * once. Each end keeps one handshake per peer, so answering both would make each end drop
     * the other's response and no session would confirm (until a retry, which crosses again
     * when both sides' traffic is in step). The end whose public key is greater keeps its own
     * initiation and drops the peer's; the other answers as usual.
     */
    HANDSHAKE_CROSSED,
    /** A cookie reply that did not decrypt or matched no handshake. */
    COOKIE_INVALID,
    /** A transport message for a receiver index the device does not know (or no longer knows). */
    UNKNOWN_RECEIVER,
    /** A transport message whose keypair has expired (reject-after time or messages). */
    EXPIRED_KEYPAIR,
    /** A transport message that failed authentication. */
    DECRYPT_FAILED,
    /** A transport message whose counter was already received. */
    REPLAYED,
    /** A transport message whose counter is behind the replay window. */
    OUT_OF_WINDOW,
    /** A decrypted packet that is not IPv4/IPv6 or whose length fields are wrong. */
    INVALID_INNER_PACKET,
    /** A decrypted packet whose source address is not among the sending peer's allowed IPs. */
    SOURCE_NOT_ALLOWED,
    /** A packet from the TUN for a destination no peer's allowed IPs cover. */
    NO_ROUTE,
    /** A packet from the TUN for a peer without an endpoint. */
    NO_ENDPOINT,
    /** A packet from the TUN dropped while waiting for a handshake (the staging queue was full or the attempt gave up). */
    STAGED_OVERFLOW,
    /** A packet the TUN refused to take. */
    TUN_WRITE_FAILED,
    /** A packet the Bind failed to send. */
    SEND_FAILED,
    /** A packet whose handling failed with an unexpected exception (a bug: logged at DEBUG). */
    INTERNAL_ERROR,
    /** A Bind receive that failed with an I/O error (the receive loop goes on, backing off if it repeats). */
    RECEIVE_FAILED,
    /** A TUN read that failed with an I/O error (the TUN loop goes on, backing off if it repeats). */
    TUN_READ_FAILED,
    /** Input from the TUN that could not be parsed (a bad vnet header or super-packet: {@code Tun.malformed()}). */
    TUN_MALFORMED
}
