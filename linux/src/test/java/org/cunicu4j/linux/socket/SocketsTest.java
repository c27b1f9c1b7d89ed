package org.cunicu4j.linux.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IPV6;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_UDP;
import static org.cunicu4j.linux.socket.SocketConstants.IPV6_V6ONLY;
import static org.cunicu4j.linux.socket.SocketConstants.SOCK_DGRAM;
import static org.cunicu4j.linux.socket.SocketConstants.SOL_SOCKET;
import static org.cunicu4j.linux.socket.SocketConstants.SO_MARK;
import static org.cunicu4j.linux.socket.SocketConstants.SO_RCVBUF;
import static org.cunicu4j.linux.socket.SocketConstants.SO_RCVBUFFORCE;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.Test;

/** Errors name the call with symbolic arguments, exactly. */
class SocketsTest {

    @Test
    void bindToAnAddressNotOnTheHostNamesCallAddressAndErrno() throws Exception {
        int fd = Sockets.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        try {
            assertThatThrownBy(() -> Sockets.bind(fd, AF_INET, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 9)))
                    .isInstanceOf(LinuxException.class)
                    .hasMessage("bind(" + fd + ", 192.0.2.1:9): EADDRNOTAVAIL (Cannot assign requested address)")
                    .satisfies(e -> assertThat(((LinuxException) e).errno()).isEqualTo(Errno.EADDRNOTAVAIL))
                    .satisfies(e -> assertThat(((LinuxException) e).call()).isEqualTo("bind(" + fd + ", 192.0.2.1:9)"));
        } finally {
            Sockets.close(fd);
        }
    }

    @Test
    @RequiresRoot
    @RequiresTools("ip")
    void ipv6BindErrorInALabHost() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            String msg = NetNs.call(h.netns(), () -> {
                int fd = Sockets.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
                try {
                    Sockets.bind(fd, AF_INET6, new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 51820));
                    return "bound";
                } catch (LinuxException e) {
                    return e.getMessage().replace("(" + fd + ",", "(N,");
                } finally {
                    Sockets.close(fd);
                }
            });
            assertThat(msg).isEqualTo("bind(N, [2001:db8::1]:51820): EADDRNOTAVAIL (Cannot assign requested address)");
        }
    }

    @Test
    void setsockoptFailureNamesLevelAndOption() throws Exception {
        int fd = Sockets.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        try {
            assertThatThrownBy(() -> Sockets.setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1))
                    .hasMessage("setsockopt(" + fd + ", IPPROTO_IPV6, IPV6_V6ONLY, 1): ENOPROTOOPT (Protocol not available)");
            assertThatThrownBy(() -> Sockets.setInt(fd, SOL_SOCKET, 9999, 1))
                    .hasMessage("setsockopt(" + fd + ", SOL_SOCKET, 9999, 1): ENOPROTOOPT (Protocol not available)");
            assertThatThrownBy(() -> Sockets.getInt(fd, IPPROTO_IPV6, IPV6_V6ONLY))
                    .hasMessageStartingWith("getsockopt(" + fd + ", IPPROTO_IPV6, IPV6_V6ONLY): ");
        } finally {
            Sockets.close(fd);
        }
    }

    @Test
    void setsockoptOnAClosedFdIsEbadf() throws Exception {
        int fd = Sockets.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        Sockets.close(fd);
        assertThatThrownBy(() -> Sockets.setInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 4194304))
                .hasMessage("setsockopt(" + fd + ", SOL_SOCKET, SO_RCVBUFFORCE, 4194304): EBADF (Bad file descriptor)");
    }

    @Test
    void socketErrorsNameFamilyTypeAndProtocol() {
        assertThatThrownBy(() -> Sockets.socket(AF_INET, SOCK_DGRAM, 6))
                .hasMessage("socket(AF_INET, SOCK_DGRAM, 6): EPROTONOSUPPORT (Protocol not supported)");
    }

    @Test
    void privilegeHintsAreExact() {
        assertThat(new LinuxException("socket(AF_INET, SOCK_RAW, IPPROTO_UDP)", Errno.EPERM, Sockets.RAW_HINT).getMessage())
                .isEqualTo("socket(AF_INET, SOCK_RAW, IPPROTO_UDP): EPERM (Operation not permitted)"
                        + " — raw sockets need CAP_NET_RAW (run as root or grant the capability)");
        assertThat(new LinuxException("setsockopt(7, SOL_SOCKET, SO_MARK, 1)", Errno.EPERM, Sockets.ADMIN_HINT).getMessage())
                .isEqualTo("setsockopt(7, SOL_SOCKET, SO_MARK, 1): EPERM (Operation not permitted) — needs CAP_NET_ADMIN");
    }

    @Test
    @RequiresRoot
    void forcedBufferAndMarkWorkAsRoot() throws Exception {
        int fd = Sockets.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        try {
            Sockets.setInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 4194304);
            assertThat(Sockets.getInt(fd, SOL_SOCKET, SO_RCVBUF)).isEqualTo(2 * 4194304);
            Sockets.setInt(fd, SOL_SOCKET, SO_MARK, 51820);
            assertThat(Sockets.getInt(fd, SOL_SOCKET, SO_MARK)).isEqualTo(51820);
        } finally {
            Sockets.close(fd);
        }
    }
}
