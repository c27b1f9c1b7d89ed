package org.cunicu4j.net.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.testlab.BlockedCall;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** UdpPacketConn between two lab hosts over a veth link. */
@RequiresRoot
@RequiresTools("ip")
class UdpPacketConnLabTest {
    static Lab lab;
    static Host a;
    static Host b;

    @BeforeAll
    static void lab() {
        lab = Lab.open();
        a = lab.host("a");
        b = lab.host("b");
        lab.link(a, "10.78.0.1/24", b, "10.78.0.2/24");
        a.run("ip", "addr", "add", "fd78::1/64", "dev", "eth0", "nodad");
        b.run("ip", "addr", "add", "fd78::2/64", "dev", "eth0", "nodad");
    }

    @AfterAll
    static void close() {
        lab.close();
    }

    static UdpPacketConn open(Host host, String ip, int port) throws Exception {
        return NetNs.call(host.netns(), () -> UdpPacketConn.open(new InetSocketAddress(InetAddress.getByName(ip), port)));
    }

    @ParameterizedTest
    @CsvSource({"10.78.0.1, 10.78.0.2", "fd78::1, fd78::2"})
    void aBatchOfEightCrossesTheLinkWithItsSources(String ipA, String ipB) throws Exception {
        try (UdpPacketConn ca = open(a, ipA, 0); UdpPacketConn cb = open(b, ipB, 51820)) {
            PacketBatch out = new PacketBatch(ca.preferredBatchSize(), 1500);
            for (int i = 0; i < 8; i++) {
                out.buffer(i).clear().putInt(i).put(new byte[100 * i]).flip();
                out.setAddress(i, cb.localAddress());
            }
            out.setCount(8);
            assertThat(ca.send(out)).isEqualTo(8);

            PacketBatch in = new PacketBatch(cb.preferredBatchSize(), 1500);
            List<Integer> ids = new ArrayList<>();
            while (ids.size() < 8) {
                int n = CompletableFuture.supplyAsync(() -> {
                    try {
                        return cb.receive(in);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).get(5, TimeUnit.SECONDS);
                for (int i = 0; i < n; i++) {
                    ByteBuffer buf = in.buffer(i);
                    int id = buf.getInt(0);
                    assertThat(buf.remaining()).isEqualTo(4 + 100 * id);
                    assertThat(in.address(i)).isEqualTo(ca.localAddress());
                    ids.add(id);
                }
            }
            assertThat(ids).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void closeWakesAReceiverBlockedInANamespace() throws Exception {
        UdpPacketConn conn = open(b, "0.0.0.0", 0);
        BlockedCall reader = BlockedCall.start(() -> conn.receive(new PacketBatch(4, 1500)));
        assertThat(reader.isDone()).as("still blocked").isFalse();
        conn.close();
        assertThat(reader.outcome(java.time.Duration.ofSeconds(5))).isInstanceOf(ClosedChannelException.class);
    }
}
