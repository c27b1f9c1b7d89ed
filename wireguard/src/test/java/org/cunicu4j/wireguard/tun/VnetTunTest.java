package org.cunicu4j.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.Test;

/** What the kernel does with packets written to a {@link VnetTun}. */
@RequiresRoot
@RequiresTools({"ip"})
class VnetTunTest {

    /** An IPv4 UDP datagram 10.78.0.2:4000 → 10.78.0.1:{@code port}, with 10 bytes of headroom, checksum right or off by one. */
    private static ByteBuffer udp(int port, String text, boolean goodChecksum) {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        int len = 28 + data.length;
        ByteBuffer b = ByteBuffer.allocateDirect(10 + len);
        b.position(10);
        b.put((byte) 0x45).put((byte) 0).putShort((short) len).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 78, 0, 2}).put(new byte[] {10, 78, 0, 1});
        b.putShort((short) 4000).putShort((short) port).putShort((short) (8 + data.length)).putShort((short) 0).put(data);
        b.putShort(10 + 10, (short) ~TsoSegmenter.fold(TsoSegmenter.sum(b, 10, 20)));
        long s = TsoSegmenter.sum(b, 30, 8 + data.length) + TsoSegmenter.sum(b, 22, 8) + 17 + 8 + data.length;
        int c = ~TsoSegmenter.fold(s) & 0xffff;
        if (!goodChecksum) {
            c = c == 0x1234 ? 0x4321 : 0x1234;
        }
        b.putShort(30 + 6, (short) c);
        return b.limit(10 + len).position(10);
    }

    /** A written packet is checked like any received one: a bad UDP checksum is dropped, not delivered as "valid". */
    @Test
    void writtenPacketsHaveTheirChecksumsVerifiedByTheKernel() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("vt");
            String name = "vnt" + ProcessHandle.current().pid() % 100000;
            try (VnetTun tun = NetNs.call(h.netns(), () -> VnetTun.create(name, 1420));
                    DatagramSocket socket = NetNs.call(h.netns(), () -> {
                        h.run("ip", "addr", "add", "10.78.0.1/24", "dev", name);
                        return new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.78.0.1"), 0));
                    })) {
                socket.setSoTimeout(5000);
                int port = socket.getLocalPort();
                assertThat(tun.write(udp(port, "bad checksum", false))).isTrue();
                assertThat(tun.write(udp(port, "good checksum", true))).isTrue();
                DatagramPacket in = new DatagramPacket(new byte[100], 100);
                socket.receive(in);
                assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).isEqualTo("good checksum");
            }
        }
    }
}
