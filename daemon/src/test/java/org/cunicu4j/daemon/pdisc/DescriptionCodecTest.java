package org.cunicu4j.daemon.pdisc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.signaling.proto.core.IPAddress;
import org.cunicu4j.signaling.proto.pdisc.PeerAddresses;
import org.cunicu4j.signaling.proto.pdisc.PeerDescription;
import org.cunicu4j.signaling.proto.pdisc.PeerDescriptionChange;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

class DescriptionCodecTest {

    private final Key key = Key.generatePrivate().publicKey();

    private DiscoveredPeer peer(Key k) throws Exception {
        return new DiscoveredPeer(k, "node-a.example", List.of(IpPrefix.parse("10.237.1.2/32"),
                IpPrefix.parse("fc2f:9a4d::1/128"), IpPrefix.parse("192.168.7.0/24")),
                Map.of("node-a.example", List.of(InetAddress.getByName("10.237.1.2"), InetAddress.getByName("fc2f:9a4d::1"))));
    }

    @Test
    void writesWhatReadsBack() throws Exception {
        PeerDescription d = DescriptionCodec.write(PeerDescriptionChange.ADD, peer(key), null, null);
        assertThat(d.getAllowedIpsList()).containsExactly("10.237.1.2/32", "fc2f:9a4d:0:0:0:0:0:1/128", "192.168.7.0/24");
        assertThat(d.getPublicKey().toByteArray()).isEqualTo(key.bytes());
        assertThat(d.getPublicKeyNew().isEmpty()).isTrue();
        DescriptionCodec.Parsed p = (DescriptionCodec.Parsed) DescriptionCodec.read(d);
        assertThat(p.change()).isEqualTo(PeerDescriptionChange.ADD);
        assertThat(p.key()).isEqualTo(key);
        assertThat(p.newKey()).isNull();
        assertThat(p.peer()).isEqualTo(peer(key));
    }

    @Test
    void aKeyChangeCarriesOldAndNewKeys() throws Exception {
        Key newKey = Key.generatePrivate().publicKey();
        PeerDescription d = DescriptionCodec.write(PeerDescriptionChange.UPDATE, peer(newKey), key, null);
        assertThat(d.getPublicKey().toByteArray()).isEqualTo(key.bytes());
        assertThat(d.getPublicKeyNew().toByteArray()).isEqualTo(newKey.bytes());
        DescriptionCodec.Parsed p = (DescriptionCodec.Parsed) DescriptionCodec.read(d);
        assertThat(p.key()).isEqualTo(key);
        assertThat(p.newKey()).isEqualTo(newKey);
        assertThat(p.peer().publicKey()).isEqualTo(newKey);
    }

    @Test
    void rejectsWhatAPeerCouldGetWrong() throws Exception {
        PeerDescription good = DescriptionCodec.write(PeerDescriptionChange.ADD, peer(key), null, null);
        assertMalformed(good.toBuilder().setPublicKey(ByteString.copyFrom(new byte[31])).build(), "public_key");
        assertMalformed(good.toBuilder().setPublicKeyNew(ByteString.copyFrom(new byte[32])).build(), "only an UPDATE");
        assertMalformed(good.toBuilder().setChange(PeerDescriptionChange.UPDATE)
                .setPublicKeyNew(ByteString.copyFrom(new byte[5])).build(), "public_key_new");
        assertMalformed(good.toBuilder().setChangeValue(7).build(), "unknown change 7");
        assertMalformed(good.toBuilder().setName("evil\n1.2.3.4 bank.example").build(), "name");
        assertMalformed(good.toBuilder().setName("a b").build(), "name");
        assertMalformed(good.toBuilder().addAllowedIps("10.0.0.0/33").build(), "allowed_ips");
        assertMalformed(good.toBuilder().addAllowedIps("example.com/32").build(), "allowed_ips");
        assertMalformed(good.toBuilder().putHosts("bad name", PeerAddresses.getDefaultInstance()).build(), "hosts");
        assertMalformed(good.toBuilder().putHosts("ok", PeerAddresses.newBuilder()
                .addAddresses(IPAddress.newBuilder().setAddr(ByteString.copyFrom(new byte[5]))).build()).build(), "hosts");
        PeerDescription.Builder many = good.toBuilder();
        for (int i = 0; i <= DescriptionCodec.MAX_ALLOWED_IPS; i++) {
            many.addAllowedIps("10.9." + (i / 256) + "." + (i % 256) + "/32");
        }
        assertMalformed(many.build(), "more than " + DescriptionCodec.MAX_ALLOWED_IPS);
    }

    @Test
    void hostNames() {
        assertThat(DescriptionCodec.isHostName("node-1.wg_local")).isTrue();
        assertThat(DescriptionCodec.isHostName("a")).isTrue();
        assertThat(DescriptionCodec.isHostName("")).isFalse();
        assertThat(DescriptionCodec.isHostName("-a")).isFalse();
        assertThat(DescriptionCodec.isHostName("a..b")).isFalse();
        assertThat(DescriptionCodec.isHostName("a.")).isFalse();
        assertThat(DescriptionCodec.isHostName("x".repeat(64))).isFalse();
        assertThat(DescriptionCodec.isHostName("a\tb")).isFalse();
        // no label starts or ends with '-' (RFC 952/1123)
        assertThat(DescriptionCodec.isHostName("a-")).isFalse();
        assertThat(DescriptionCodec.isHostName("a.-b")).isFalse();
        assertThat(DescriptionCodec.isHostName("a-.b")).isFalse();
        assertThat(DescriptionCodec.isHostName("a-b.c-d")).isTrue();
    }

    @Test
    void mutatedDescriptionsNeverThrow() throws Exception {
        byte[] good = DescriptionCodec.write(PeerDescriptionChange.UPDATE, peer(Key.generatePrivate().publicKey()), key,
                null).toByteArray();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(8) == 0) {
                b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
            }
            PeerDescription d;
            try {
                d = PeerDescription.parseFrom(b);
            } catch (InvalidProtocolBufferException e) {
                continue;
            }
            parsed++;
            try {
                DescriptionCodec.Result r = DescriptionCodec.read(d);
                assertThat(r).as("seed %d iteration %d", seed, i).isNotNull();
            } catch (RuntimeException e) {
                throw new AssertionError("read threw on a mutated description, seed " + seed + " iteration " + i, e);
            }
        }
        assertThat(parsed).as("seed %d: enough mutations parse as protobuf to exercise read", seed).isGreaterThan(1000);
    }

    private static void assertMalformed(PeerDescription d, String reason) {
        DescriptionCodec.Result r = DescriptionCodec.read(d);
        assertThat(r).isInstanceOf(DescriptionCodec.Malformed.class);
        assertThat(((DescriptionCodec.Malformed) r).reason()).contains(reason);
    }
}
