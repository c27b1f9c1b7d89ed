package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
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
    void everyTruncationIsRefusedOrParsedNeverThrown() {
        MemorySegment valid = arena.allocate(1024, 8);
        int len = ipv4Route(valid);
        int refused = 0;
        for (int cut = 0; cut < len; cut++) {
            MemorySegment slice = valid.asSlice(0, cut);
            // a slice exactly as long as the cut: a read past it throws instead of reading stale bytes
            if (parseFirst(slice, cut) == null) {
                refused++;
            }
        }
        assertThat(refused).as("cuts inside the header or an attribute are refused").isGreaterThan(len / 2);
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
