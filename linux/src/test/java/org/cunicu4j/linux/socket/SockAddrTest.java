package org.cunicu4j.linux.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SockAddrTest {

    @Test
    void ipv4IsFamilyHostOrderPortNetworkOrder() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            int len = SockAddr.encode(sa, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 51820));
            assertThat(len).isEqualTo(16);
            assertThat(sa.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE)).containsExactly(
                    2, 0, (byte) 0xca, 0x6c, (byte) 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0);
            assertThat(SockAddr.port(sa)).isEqualTo(51820);
            assertThat(SockAddr.family(sa)).isEqualTo(AF_INET);
            assertThat(SockAddr.decode(sa)).isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 51820));
            assertThat(SockAddr.toString(sa)).isEqualTo("192.0.2.1:51820");
        }
    }

    @Test
    void ipv6LayoutAndRfc5952Text() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 9);
            assertThat(SockAddr.encode(sa, a)).isEqualTo(28);
            assertThat(sa.get(ValueLayout.JAVA_SHORT, 0)).isEqualTo((short) AF_INET6);
            assertThat(sa.get(ValueLayout.JAVA_BYTE, 3)).isEqualTo((byte) 9);
            assertThat(sa.get(ValueLayout.JAVA_BYTE, 8)).isEqualTo((byte) 0x20);
            assertThat(sa.get(ValueLayout.JAVA_BYTE, 23)).isEqualTo((byte) 1);
            assertThat(SockAddr.toString(sa)).isEqualTo("[2001:db8::1]:9");
            assertThat(SockAddr.decode(sa)).isEqualTo(a);
        }
        assertThat(SockAddr.format(new InetSocketAddress(InetAddress.getByName("::"), 1))).isEqualTo("[::]:1");
        assertThat(SockAddr.format(new InetSocketAddress(InetAddress.getByName("1:0:0:2:0:0:0:3"), 1)))
                .isEqualTo("[1:0:0:2::3]:1");
        assertThat(SockAddr.format(new InetSocketAddress(InetAddress.getByName("1:0:2:3:4:5:6:7"), 1)))
                .isEqualTo("[1:0:2:3:4:5:6:7]:1");
        assertThat(SockAddr.format(new InetSocketAddress(InetAddress.getByName("fe80::"), 1))).isEqualTo("[fe80::]:1");
    }

    @Test
    void ipv4OnAnIpv6SocketIsMappedAndReadsBackAsIpv4() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            byte[] v4 = {10, 0, 0, 7};
            assertThat(SockAddr.encode(sa, AF_INET6, v4, 0, 4, 80)).isEqualTo(28);
            assertThat(sa.get(ValueLayout.JAVA_BYTE, 18)).isEqualTo((byte) 0xff);
            byte[] out = new byte[16];
            assertThat(SockAddr.address(sa, out, 0)).isEqualTo(4);
            assertThat(out).startsWith(10, 0, 0, 7);
            assertThat(SockAddr.toString(sa)).isEqualTo("10.0.0.7:80");

            byte[] mapped = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 7};
            assertThat(SockAddr.encode(sa, AF_INET, mapped, 0, 16, 80)).isEqualTo(16);
            assertThat(SockAddr.toString(sa)).isEqualTo("10.0.0.7:80");
            byte[] v6 = InetAddress.getByName("2001:db8::1").getAddress();
            assertThatThrownBy(() -> SockAddr.encode(sa, AF_INET, v6, 0, 16, 80))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aLinkLocalScopeTravelsFromInet6AddressAndBack() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            java.net.Inet6Address ll = java.net.Inet6Address.getByAddress(null,
                    InetAddress.getByName("fe80::1").getAddress(), 7);
            SockAddr.encode(sa, new InetSocketAddress(ll, 9));
            assertThat(sa.get(ValueLayout.JAVA_INT, 24)).as("sin6_scope_id").isEqualTo(7);
            assertThat(SockAddr.scopeId(sa)).isEqualTo(7);
            assertThat(((java.net.Inet6Address) SockAddr.decode(sa).getAddress()).getScopeId()).isEqualTo(7);

            byte[] raw = ll.getAddress();
            SockAddr.encode(sa, AF_INET6, raw, 0, 16, 9, 3);
            assertThat(SockAddr.scopeId(sa)).isEqualTo(3);
        }
    }

    @Test
    void aLinkLocalByteAddressWithoutScopeIsRejectedClearly() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            byte[] ll = InetAddress.getByName("fe80::1").getAddress();
            assertThatThrownBy(() -> SockAddr.encode(sa, AF_INET6, ll, 0, 16, 9))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fe80::1").hasMessageContaining("scope");
            byte[] global = InetAddress.getByName("2001:db8::1").getAddress();
            assertThat(SockAddr.encode(sa, AF_INET6, global, 0, 16, 9)).isEqualTo(28);
            assertThat(SockAddr.scopeId(sa)).isZero();
        }
    }
}
