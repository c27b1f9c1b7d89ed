package org.cunicu4j.linux.rawsock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.cunicu4j.linux.socket.SocketConstants;
import org.junit.jupiter.api.Test;

/** The STUN filters run through a userspace interpreter; {@code RawSocketTest} runs them in the kernel. */
class BpfFiltersTest {
    static final int PORT = 51820;

    /** A UDP header plus payload. */
    static byte[] udp(int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    /** An IPv4 header (with {@code options} words of options) in front of {@code udp}. */
    static byte[] ipv4(byte[] udp, int optionWords, int fragOffset) {
        int ihl = 5 + optionWords;
        ByteBuffer b = ByteBuffer.allocate(ihl * 4 + udp.length);
        b.put((byte) (0x40 | ihl)).put((byte) 0).putShort((short) (ihl * 4 + udp.length));
        b.putShort((short) 0).putShort((short) fragOffset).put((byte) 64).put((byte) 17).putShort((short) 0);
        b.putInt(0x0a000001).putInt(0x0a000002);
        for (int i = 0; i < optionWords; i++) {
            b.putInt(0x01010101);
        }
        b.put(udp);
        return b.array();
    }

    static byte[] stun() {
        return ByteBuffer.allocate(20).putShort((short) 1).putShort((short) 0).putInt(0x2112A442)
                .put(new byte[12]).array();
    }

    @Test
    void ipv4FilterReadsTheUdpHeaderAfterTheIpHeaderOfAnyLength() {
        BpfProgram f = BpfFilters.stun(PORT, SocketConstants.AF_INET);
        assertThat(BpfInterpreter.run(f, ipv4(udp(1, PORT, stun()), 0, 0))).isNotZero();
        assertThat(BpfInterpreter.run(f, ipv4(udp(1, PORT, stun()), 3, 0))).isNotZero();
        assertThat(BpfInterpreter.run(f, ipv4(udp(1, PORT + 1, stun()), 0, 0))).isZero();
        assertThat(BpfInterpreter.run(f, ipv4(udp(1, PORT, new byte[20]), 0, 0))).isZero();
        assertThat(BpfInterpreter.run(f, ipv4(udp(1, PORT, new byte[7]), 0, 0))).isZero();
        assertThat(BpfInterpreter.run(f, ipv4(udp(1, PORT, stun()), 0, 0x0001))).as("non-first fragment").isZero();
        assertThat(BpfInterpreter.run(f, ipv4(udp(1, PORT, stun()), 0, 0x4000))).as("DF set").isNotZero();
    }

    @Test
    void ipv6FilterReadsTheUdpHeaderAtOffsetZero() {
        BpfProgram f = BpfFilters.stun(PORT, SocketConstants.AF_INET6);
        assertThat(BpfInterpreter.run(f, udp(1, PORT, stun()))).isNotZero();
        assertThat(BpfInterpreter.run(f, udp(PORT, 1, stun()))).isZero();
        assertThat(BpfInterpreter.run(f, udp(1, PORT, new byte[20]))).isZero();
        assertThat(BpfInterpreter.run(f, udp(1, PORT, new byte[4]))).isZero();
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> BpfFilters.stun(0, SocketConstants.AF_INET)).hasMessage("port must be 1..65535, got 0");
        assertThatThrownBy(() -> BpfFilters.stun(1, 1)).hasMessage("family must be AF_INET or AF_INET6, got 1");
    }
}
