package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The RTM_NEWROUTE decoder: valid messages round-trip; truncated, mutated or random input is refused, never thrown. */
class RouteParserTest {
    private static final long SEED = 0x7007_E5L;
    private final Arena arena = Arena.ofAuto();

    @Test
    void aGatewayRouteWithTableMtuAndSourceRoundTrips() {
        MemorySegment buf = arena.allocate(1024, 8);
        int len = ipv4Route(buf);
        RouteEntry r = parseFirst(buf, len);
        assertThat(r).isNotNull();
        assertThat(r.route()).isEqualTo(Route.to("10.80.0.0/16").via("10.1.0.1").dev(7).table(1234));
        assertThat(r.mtu()).isEqualTo(1380);
        assertThat(r.preferredSource()).isEqualTo(InetAddress.ofLiteral("10.1.0.2"));
        assertThat(r.isUnicast()).isTrue();
        assertThat(r.isDefault()).isFalse();
        assertThat(r.toString()).isEqualTo("10.80.0.0/16 via 10.1.0.1 dev 7 table 1234 type 1 mtu 1380 src 10.1.0.2");
    }

    @Test
    void anIpv6DefaultRouteHasNoDestinationAttribute() {
        MemorySegment buf = arena.allocate(1024, 8);
        MessageWriter w = new MessageWriter(buf);
        w.begin(Nl.RTM_NEWROUTE, (short) 0, 0);
        long rtm = w.reserve(Nl.RTMSG_LEN);
        w.putByte(rtm + Nl.RTM_FAMILY, Nl.AF_INET6);
        w.putByte(rtm + Nl.RTM_TABLE, 254);
        w.putByte(rtm + Nl.RTM_TYPE, RouteEntry.UNICAST);
        w.attr(Nl.RTA_GATEWAY, InetAddress.ofLiteral("fe80::1").getAddress());
        w.attrInt(Nl.RTA_OIF, 3);
        int len = w.finish();
        RouteEntry r = parseFirst(buf, len);
        assertThat(r).isNotNull();
        assertThat(r.route().toString()).isEqualTo("0:0:0:0:0:0:0:0/0 via fe80:0:0:0:0:0:0:1 dev 3 table 254");
        assertThat(r.isDefault()).isTrue();
        assertThat(r.mtu()).isZero();
        assertThat(r.preferredSource()).isNull();
    }

    @Test
    void everyTruncationInsideTheHeaderOrAnAttributeIsRefusedNeverThrown() {
        MemorySegment valid = arena.allocate(1024, 8);
        int len = ipv4Route(valid);
        // where each attribute ends: a cut there leaves a shorter but well-formed message
        Set<Integer> boundaries = new HashSet<>();
        int header = Nl.NLMSGHDR_LEN + Nl.RTMSG_LEN;
        AttrCursor walk = new AttrCursor().reset(valid, header, len);
        long pos = header;
        while (walk.next()) {
            pos += Nl.align(Nl.RTATTR_LEN + walk.valueLength());
            boundaries.add((int) pos);
        }
        assertThat(boundaries).contains(len).hasSize(6);
        int parsed = 0;
        for (int cut = 0; cut < len; cut++) {
            // a copy exactly as long as the cut (a read past it throws instead of reading stale
            // bytes) whose nlmsg_len says the cut, so the parser really sees a short message
            MemorySegment copy = arena.allocate(Math.max(cut, 1), 8);
            MemorySegment.copy(valid, 0, copy, 0, cut);
            if (cut >= 4) {
                copy.set(ValueLayout.JAVA_INT_UNALIGNED, Nl.NLMSG_LEN, cut);
            }
            RouteEntry r;
            try {
                r = parseFirst(copy.asSlice(0, cut), cut);
            } catch (RuntimeException e) {
                throw new AssertionError("cut at " + cut + " of " + len + ": the parser threw", e);
            }
            if (cut < header || !boundaries.contains(cut)) {
                assertThat(r).as("cut at %d of %d: inside the header or an attribute", cut, len).isNull();
            } else {
                // every boundary is at or after RTA_TABLE's end (the header's table is RT_TABLE_UNSPEC): a route with fewer attributes
                assertThat(r).as("cut at %d of %d: at an attribute's end", cut, len).isNotNull();
                assertThat(r.route().table()).isEqualTo(1234);
                parsed++;
            }
        }
        assertThat(parsed).isEqualTo(5);
    }

    @Test
    void anAddressInterfaceOrTableOfTheWrongLengthMakesTheMessageMalformed() {
        byte[] v6 = InetAddress.ofLiteral("fe80::1").getAddress();
        byte[] v4 = InetAddress.ofLiteral("10.1.0.1").getAddress();
        byte[] shortInt = {7, 0};
        byte[] longInt = {7, 0, 0, 0, 0, 0, 0, 0};
        assertThat(withExtraAttribute(Nl.RTA_GATEWAY, v4)).as("a well-formed control").isNotNull();
        assertThat(withExtraAttribute(Nl.RTA_GATEWAY, v6)).as("a 16-byte gateway in an IPv4 route").isNull();
        assertThat(withExtraAttribute(Nl.RTA_GATEWAY, new byte[0])).as("an empty gateway").isNull();
        assertThat(withExtraAttribute(Nl.RTA_DST, new byte[] {10, 80})).as("a 2-byte destination").isNull();
        assertThat(withExtraAttribute(RouteParser.RTA_PREFSRC, v6)).as("a 16-byte source").isNull();
        assertThat(withExtraAttribute(Nl.RTA_OIF, shortInt)).as("a 2-byte interface").isNull();
        assertThat(withExtraAttribute(Nl.RTA_OIF, longInt)).as("an 8-byte interface").isNull();
        assertThat(withExtraAttribute(Nl.RTA_TABLE, shortInt)).as("a 2-byte table").isNull();
    }

    /** An IPv4 route 10.80.0.0/16 dev 7 in the main table plus one more attribute, parsed. */
    private RouteEntry withExtraAttribute(int type, byte[] value) {
        MemorySegment buf = arena.allocate(1024, 8);
        MessageWriter w = new MessageWriter(buf);
        w.begin(Nl.RTM_NEWROUTE, (short) 0, 0);
        long rtm = w.reserve(Nl.RTMSG_LEN);
        w.putByte(rtm + Nl.RTM_FAMILY, Nl.AF_INET);
        w.putByte(rtm + Nl.RTM_DST_LEN, 16);
        w.putByte(rtm + Nl.RTM_TABLE, 254);
        w.putByte(rtm + Nl.RTM_TYPE, RouteEntry.UNICAST);
        w.attr(Nl.RTA_DST, InetAddress.ofLiteral("10.80.0.0").getAddress());
        w.attrInt(Nl.RTA_OIF, 7);
        w.attr(type, value);
        int len = w.finish();
        return parseFirst(buf.asSlice(0, len), len);
    }

    @Test
    void mutatedAndRandomInputNeverThrows() {
        Random random = new Random(SEED);
        MemorySegment valid = arena.allocate(1024, 8);
        int len = ipv4Route(valid);
        MemorySegment buf = arena.allocate(1024, 8);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            int n;
            if (i % 2 == 0) {
                buf.copyFrom(valid);
                for (int f = 1 + random.nextInt(4); f > 0; f--) {
                    buf.set(ValueLayout.JAVA_BYTE, random.nextInt(len), (byte) random.nextInt());
                }
                n = len;
            } else {
                n = random.nextInt(1024);
                for (int j = 0; j < n; j++) {
                    buf.set(ValueLayout.JAVA_BYTE, j, (byte) random.nextInt());
                }
            }
            try {
                if (parseFirst(buf.asSlice(0, n), n) != null) {
                    parsed++;
                }
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + " iteration " + i + ": the parser threw", e);
            }
        }
        assertThat(parsed).as("seed %d: many mutations still parse", SEED).isGreaterThan(1000);
    }

    /** The first message of {@code buf[0, len)} parsed as a route, or null. */
    private static RouteEntry parseFirst(MemorySegment buf, int len) {
        MessageCursor cursor = new MessageCursor().reset(buf, len);
        if (!cursor.next()) {
            return null;
        }
        return RouteParser.route(cursor, new AttrCursor());
    }

    /** 10.80.0.0/16 via 10.1.0.1 dev 7 table 1234 mtu 1380 src 10.1.0.2, as the kernel sends it. */
    private static int ipv4Route(MemorySegment buf) {
        MessageWriter w = new MessageWriter(buf);
        w.begin(Nl.RTM_NEWROUTE, (short) 0, 0);
        long rtm = w.reserve(Nl.RTMSG_LEN);
        w.putByte(rtm + Nl.RTM_FAMILY, Nl.AF_INET);
        w.putByte(rtm + Nl.RTM_DST_LEN, 16);
        w.putByte(rtm + Nl.RTM_TABLE, Nl.RT_TABLE_UNSPEC); // > 255: only in RTA_TABLE
        w.putByte(rtm + Nl.RTM_TYPE, RouteEntry.UNICAST);
        w.attrInt(Nl.RTA_TABLE, 1234);
        w.attr(Nl.RTA_DST, InetAddress.ofLiteral("10.80.0.0").getAddress());
        w.attr(Nl.RTA_GATEWAY, InetAddress.ofLiteral("10.1.0.1").getAddress());
        w.attr(RouteParser.RTA_PREFSRC, InetAddress.ofLiteral("10.1.0.2").getAddress());
        w.attrInt(Nl.RTA_OIF, 7);
        ByteBuffer metrics = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        metrics.putShort((short) 8).putShort((short) RouteParser.RTAX_MTU).putInt(1380);
        w.attr(RouteParser.RTA_METRICS, metrics.array());
        return w.finish();
    }
}
