/**
 * In-memory {@link org.cunicu4j.wireguard.conn.Bind}s for tests of a WireGuard device
 * without root or sockets: a {@link org.cunicu4j.wireguard.conn.testing.MemoryNetwork} of
 * {@link org.cunicu4j.wireguard.conn.testing.MemoryBind}s addressed as {@code mem:<id>},
 * with a hook that drops, duplicates or holds back datagrams (replay and reordering tests),
 * injection of arbitrary datagrams, and roaming (a Bind's apparent address changes). Not
 * for benchmarks: every datagram is copied.
 */
package org.cunicu4j.wireguard.conn.testing;
