/**
 * Test doubles of the packet-I/O seam, shipped in main sources so that the tests of every
 * module above {@code net} can use them: {@link org.cunicu4j.net.testing.MemoryPacketConn#pair}
 * gives two in-memory {@link org.cunicu4j.net.PacketConn}s wired to each other.
 */
package org.cunicu4j.net.testing;
