package org.cunicu4j.ice.gather;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.cunicu4j.ice.CandidateType;

/**
 * Candidate foundations (RFC 8445 section 5.1.1.3): two candidates share a foundation
 * exactly when they have the same type, the same base IP address, the same STUN or TURN
 * server IP address and the same transport towards it. The foundation is the CRC-32 of
 * those four, in hexadecimal (1..8 ice-chars); a collision between different tuples is
 * possible but would only make two candidates freeze and thaw together. Stateless.
 */
public final class Foundations {
    private Foundations() {}

    /**
     * @param baseIp the base's IP (for relay candidates, the relayed IP)
     * @param serverIp the STUN or TURN server's IP; null for host candidates
     * @param transport "udp", "tcp" or "tls": how the server is reached (host: "udp")
     */
    public static String foundation(CandidateType type, InetAddress baseIp, InetAddress serverIp, String transport) {
        CRC32 crc = new CRC32();
        String key = type.sdpName() + "|" + baseIp.getHostAddress() + "|"
                + (serverIp == null ? "" : serverIp.getHostAddress()) + "|" + transport;
        crc.update(key.getBytes(StandardCharsets.US_ASCII));
        return Long.toHexString(crc.getValue());
    }
}
