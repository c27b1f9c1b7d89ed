/**
 * Test doubles for the ICE agent: a fake clock and scheduler, and a gatherer that hands
 * out given candidates (over {@link org.cunicu4j.net.testing.MemoryPacketConn} bases, say).
 */
package org.cunicu4j.ice.testing;
