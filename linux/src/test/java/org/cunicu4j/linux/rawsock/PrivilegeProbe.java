package org.cunicu4j.linux.rawsock;

import org.cunicu4j.linux.socket.SocketConstants;
import org.cunicu4j.linux.socket.UdpSocket;

/** Run by {@link PrivilegeHintTest} in a JVM without CAP_NET_RAW/CAP_NET_ADMIN: prints each error message. */
public final class PrivilegeProbe {
    private PrivilegeProbe() {}

    public static void main(String[] args) {
        for (int family : new int[] {SocketConstants.AF_INET, SocketConstants.AF_INET6}) {
            try (RawSocket s = RawSocket.open(family, BpfProgram.DROP_ALL)) {
                System.out.println("opened " + s.fd());
            } catch (Exception e) {
                System.out.println(e.getMessage().replaceAll("\\((\\d+),", "(N,"));
            }
        }
        try (UdpSocket s = UdpSocket.open(SocketConstants.AF_INET)) {
            s.setReceiveBufferSize(4194304, true);
            System.out.println("forced");
        } catch (Exception e) {
            System.out.println(e.getMessage().replaceAll("\\((\\d+),", "(N,"));
        }
        try (UdpSocket s = UdpSocket.open(SocketConstants.AF_INET)) {
            s.setMark(51820);
            System.out.println("marked");
        } catch (Exception e) {
            System.out.println(e.getMessage().replaceAll("\\((\\d+),", "(N,"));
        }
    }
}
