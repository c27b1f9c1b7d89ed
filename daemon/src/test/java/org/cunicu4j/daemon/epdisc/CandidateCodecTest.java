package org.cunicu4j.daemon.epdisc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.signaling.proto.epdisc.NetworkType;
import org.cunicu4j.signaling.proto.epdisc.RelatedAddress;
import org.cunicu4j.signaling.proto.epdisc.RelayProtocol;
import org.junit.jupiter.api.Test;

class CandidateCodecTest {

    private static InetSocketAddress sa(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    private static org.cunicu4j.signaling.proto.epdisc.Candidate.Builder validProto() {
        return org.cunicu4j.signaling.proto.epdisc.Candidate.newBuilder()
                .setType(org.cunicu4j.signaling.proto.epdisc.CandidateType.HOST)
                .setNetworkType(NetworkType.UDP4).setFoundation("abc").setComponent(1).setPriority(2130706431)
                .setAddress("192.0.2.1").setPort(4000);
    }

    @Test
    void hostCandidatesRoundTrip() {
        Candidate v4 = new Candidate("1a2b3c4d", 1, 2130706431L, sa("192.0.2.1", 51820), CandidateType.HOST, null, null);
        var p = CandidateCodec.encode(v4);
        assertThat(p.getType()).isEqualTo(org.cunicu4j.signaling.proto.epdisc.CandidateType.HOST);
        assertThat(p.getNetworkType()).isEqualTo(NetworkType.UDP4);
        assertThat(p.getAddress()).isEqualTo("192.0.2.1");
        assertThat(p.getPort()).isEqualTo(51820);
        assertThat(p.getPriority()).isEqualTo(2130706431);
        assertThat(p.hasRelatedAddress()).isFalse();
        assertThat(p.getRelayProtocol()).isEqualTo(RelayProtocol.UNSPECIFIED_RELAY_PROTOCOL);
        assertThat(CandidateCodec.decode(p).candidate()).isEqualTo(v4);

        Candidate v6 = new Candidate("ff", 1, 2130706175L, sa("2001:db8::1", 1), CandidateType.HOST, null, null);
        var p6 = CandidateCodec.encode(v6);
        assertThat(p6.getNetworkType()).isEqualTo(NetworkType.UDP6);
        assertThat(CandidateCodec.decode(p6).candidate()).isEqualTo(v6);
    }

    @Test
    void reflexiveAndRelayCandidatesKeepRelatedAddressAndRelayProtocol() {
        Candidate srflx = new Candidate("f1", 1, 1694498815L, sa("198.51.100.7", 40000), CandidateType.SERVER_REFLEXIVE,
                sa("10.0.0.2", 51820), null);
        var ps = CandidateCodec.encode(srflx);
        assertThat(ps.getRelatedAddress().getAddress()).isEqualTo("10.0.0.2");
        assertThat(ps.getRelatedAddress().getPort()).isEqualTo(51820);
        assertThat(CandidateCodec.decode(ps).candidate()).isEqualTo(srflx);

        for (Candidate.RelayProtocol rp : Candidate.RelayProtocol.values()) {
            // priority above 2^31: carried in the proto's int32 as cunīcu does, read back unsigned
            Candidate relay = new Candidate("r" + rp, 1, 0xFFFF_FF00L, sa("203.0.113.9", 3478), CandidateType.RELAY,
                    sa("198.51.100.7", 40000), rp);
            var pr = CandidateCodec.encode(relay);
            assertThat(pr.getType()).isEqualTo(org.cunicu4j.signaling.proto.epdisc.CandidateType.RELAY);
            assertThat(pr.getRelayProtocol().name()).isEqualTo(rp.name());
            assertThat(pr.getPriority()).isNegative();
            assertThat(CandidateCodec.decode(pr).candidate()).isEqualTo(relay);
        }

        Candidate prflx = new Candidate("p", 1, 1862270975L, sa("2001:db8::9", 9), CandidateType.PEER_REFLEXIVE,
                sa("2001:db8::1", 8), null);
        assertThat(CandidateCodec.decode(CandidateCodec.encode(prflx)).candidate()).isEqualTo(prflx);
    }

    @Test
    void aDtlsOrUnspecifiedRelayProtocolIsAcceptedAsUnknown() {
        var p = validProto().setType(org.cunicu4j.signaling.proto.epdisc.CandidateType.RELAY)
                .setRelayProtocol(RelayProtocol.DTLS).build();
        CandidateCodec.Decoded d = CandidateCodec.decode(p);
        assertThat(d.ok()).isTrue();
        assertThat(d.candidate().relayProtocol()).isNull();
        // a related address of port 0 (pion's "none") is kept as given
        var q = validProto().setRelatedAddress(RelatedAddress.newBuilder().setAddress("0.0.0.0").setPort(0)).build();
        assertThat(CandidateCodec.decode(q).candidate().relatedAddress()).isEqualTo(sa("0.0.0.0", 0));
    }

    @Test
    void invalidProtosAreRefusedWithTheReason() {
        List<org.cunicu4j.signaling.proto.epdisc.Candidate> bad = List.of(
                validProto().setType(org.cunicu4j.signaling.proto.epdisc.CandidateType.UNSPECIFIED_CANDIDATE_TYPE).build(),
                validProto().setTypeValue(77).build(),
                validProto().setNetworkType(NetworkType.TCP4).build(),
                validProto().setNetworkType(NetworkType.UDP6).build(),
                validProto().setAddress("peer.local").build(),
                validProto().setAddress("").build(),
                validProto().setAddress("192.0.2.1%eth0").build(),
                validProto().setPort(0).build(),
                validProto().setPort(65536).build(),
                validProto().setComponent(0).build(),
                validProto().setPriority(0).build(),
                validProto().setFoundation("").build(),
                validProto().setRelatedAddress(RelatedAddress.newBuilder().setAddress("x").setPort(1)).build(),
                validProto().setRelatedAddress(RelatedAddress.newBuilder().setAddress("10.0.0.1").setPort(-1)).build());
        for (var p : bad) {
            CandidateCodec.Decoded d = CandidateCodec.decode(p);
            assertThat(d.ok()).as("%s", p).isFalse();
            assertThat(d.error()).isNotBlank();
        }
        assertThat(CandidateCodec.decode(null).ok()).isFalse();
        assertThat(CandidateCodec.decode(validProto().build()).ok()).isTrue();
    }

    @Test
    void fuzzedProtosAreDecodedOrRefusedNeverThrown() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        String[] addresses = {"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1", "010.0.0.1", "1.2.3", "", "::", "a.local",
                "0.0.0.0", "255.255.255.255", "fe80::1%lo", "::1", "1:2:3:4:5:6:7:8:9"};
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            var b = org.cunicu4j.signaling.proto.epdisc.Candidate.newBuilder()
                    .setTypeValue(r.nextInt(7) - 1)
                    .setNetworkTypeValue(r.nextInt(7) - 1)
                    .setTcpTypeValue(r.nextInt(5))
                    .setFoundation(r.nextInt(8) == 0 ? randomString(r, 40) : randomString(r, 6))
                    .setComponent(r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(3))
                    .setPriority(r.nextInt(8) == 0 ? 0 : r.nextInt())
                    .setAddress(r.nextInt(6) == 0 ? randomString(r, 20) : addresses[r.nextInt(addresses.length)])
                    .setPort(r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(70000))
                    .setRelayProtocolValue(r.nextInt(7) - 1);
            if (r.nextBoolean()) {
                b.setRelatedAddress(RelatedAddress.newBuilder()
                        .setAddress(addresses[r.nextInt(addresses.length)]).setPort(r.nextInt(70000) - 10));
            }
            var p = b.build();
            CandidateCodec.Decoded d;
            try {
                d = CandidateCodec.decode(p);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " iteration " + i + ": decode threw on " + p, e);
            }
            assertThat(d.ok() != (d.error() != null)).as("seed %d iteration %d", seed, i).isTrue();
            if (d.ok()) {
                accepted++;
                Candidate c = d.candidate();
                assertThat(c.priority()).as("seed %d", seed).isBetween(1L, 0xFFFF_FFFFL);
                assertThat(CandidateCodec.decode(CandidateCodec.encode(c)).candidate()).as("seed %d iteration %d", seed, i)
                        .isEqualTo(c);
            }
        }
        assertThat(accepted).as("seed %d: some fuzzed protos are valid", seed).isPositive();

        // random bytes that happen to parse as a candidate proto
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[r.nextInt(64)];
            r.nextBytes(bytes);
            org.cunicu4j.signaling.proto.epdisc.Candidate p;
            try {
                p = org.cunicu4j.signaling.proto.epdisc.Candidate.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                continue;
            }
            try {
                CandidateCodec.decode(p);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " bytes iteration " + i + ": decode threw", e);
            }
        }
    }

    private static String randomString(Random r, int maxLen) {
        char[] c = new char[r.nextInt(maxLen + 1)];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) (r.nextInt(4) == 0 ? r.nextInt(0x3000) : 0x20 + r.nextInt(0x5F));
        }
        return new String(c);
    }
}
