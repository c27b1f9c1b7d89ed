package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cunicu4j.linux.netlink.NetlinkEvent.AddressEvent;
import org.cunicu4j.linux.netlink.NetlinkEvent.Change;
import org.cunicu4j.linux.netlink.NetlinkEvent.LinkEvent;
import org.junit.jupiter.api.Test;

/** Property tests of the parser: valid messages round-trip, and no input makes it throw. */
class NetlinkParserFuzzTest {
    private static final long SEED = 0xC4_5EEDL;

    private final Arena arena = Arena.ofAuto();

    @Test
    void validMessagesRoundTrip() {
        MemorySegment buf = arena.allocate(4096, 8);
        int len = twoMessages(buf);
        List<NetlinkEvent> events = new ArrayList<>();
        EventDecoder decoder = new EventDecoder();

        decoder.decode(buf, len, events::add);

        assertThat(events).containsExactly(
                new LinkEvent(Change.ADDED, new Link(7, "tun0", true, 1420, 0x1)),
                new AddressEvent(Change.ADDED, LinkAddress.parse(7, "10.0.0.1/24")));
        assertThat(decoder.malformed()).isZero();

        decoder.decode(buf, len, events::add);
        assertThat(events.getLast()).isEqualTo(new AddressEvent(Change.CHANGED, LinkAddress.parse(7, "10.0.0.1/24")));
    }

    @Test
    void everyTruncationOfValidInputIsCountedNotThrown() {
        MemorySegment buf = arena.allocate(4096, 8);
        int len = twoMessages(buf);
        for (int cut = 0; cut < len; cut++) {
            EventDecoder decoder = new EventDecoder();
            List<NetlinkEvent> events = new ArrayList<>();
            decoder.decode(buf, cut, events::add);
            assertThat(events.size() + decoder.malformed())
                    .as("a cut at %d either yields the first event or counts something", cut)
                    .isGreaterThanOrEqualTo(cut == 0 ? 0 : 1);
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(SEED);
        MemorySegment buf = arena.allocate(1024, 8);
        EventDecoder decoder = new EventDecoder();
        for (int i = 0; i < 20_000; i++) {
            int len = random.nextInt(1024);
            for (int j = 0; j < len; j++) {
                buf.set(ValueLayout.JAVA_BYTE, j, (byte) random.nextInt());
            }
            decoder.decode(buf, len, e -> {});
        }
        assertThat(decoder.malformed()).as("random input is mostly malformed").isGreaterThan(10_000);
        assertThat(decoder.boundsEscapes()).as("reads out of bounds the parser did not check").isZero();
    }

    @Test
    void mutatedValidInputNeverThrows() {
        Random random = new Random(SEED + 1);
        MemorySegment valid = arena.allocate(4096, 8);
        int len = twoMessages(valid);
        MemorySegment buf = arena.allocate(4096, 8);
        EventDecoder decoder = new EventDecoder();
        int decodedSomething = 0;
        for (int i = 0; i < 20_000; i++) {
            buf.copyFrom(valid);
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                buf.set(ValueLayout.JAVA_BYTE, random.nextInt(len), (byte) random.nextInt());
            }
            int[] count = {0};
            decoder.decode(buf, random.nextInt(len + 1), e -> count[0]++);
            decodedSomething += count[0] > 0 ? 1 : 0;
        }
        assertThat(decodedSomething).as("most mutations still leave a parsable message").isGreaterThan(1000);
        assertThat(decoder.malformed()).isGreaterThan(1000);
        assertThat(decoder.boundsEscapes()).as("reads out of bounds the parser did not check").isZero();
    }

    @Test
    void everyTruncationStaysInBounds() {
        MemorySegment buf = arena.allocate(4096, 8);
        int len = twoMessages(buf);
        EventDecoder decoder = new EventDecoder();
        for (int cut = 0; cut <= len; cut++) {
            // A slice exactly as long as the cut: a read past it throws instead of reading stale bytes.
            decoder.decode(buf.asSlice(0, cut), cut, e -> {});
        }
        assertThat(decoder.boundsEscapes()).isZero();
    }

    @Test
    void anOverrunIsDeliveredAndForgetsKnownAddresses() {
        MemorySegment buf = arena.allocate(4096, 8);
        int len = twoMessages(buf);
        EventDecoder decoder = new EventDecoder();
        List<NetlinkEvent> events = new ArrayList<>();
        AddressEvent added = new AddressEvent(Change.ADDED, LinkAddress.parse(7, "10.0.0.1/24"));

        decoder.decode(buf, len, events::add);
        decoder.overrun(1, events::add);
        decoder.decode(buf, len, events::add);

        assertThat(events).hasSize(5);
        assertThat(events.get(1)).isEqualTo(added);
        assertThat(events.get(2)).isEqualTo(new NetlinkEvent.Overrun(1));
        assertThat(events.get(4)).as("after an overrun the address counts as new again").isEqualTo(added);
    }

    /** A new-link message for tun0 and a new-address message for 10.0.0.1/24 on it, back to back. */
    private static int twoMessages(MemorySegment buf) {
        MemorySegment link = buf.asSlice(0, 1024);
        MessageWriter w = new MessageWriter(link);
        w.begin(Nl.RTM_NEWLINK, (short) 0, 0);
        long ifi = w.reserve(Nl.IFINFOMSG_LEN);
        w.putInt(ifi + Nl.IFI_INDEX, 7);
        w.putInt(ifi + Nl.IFI_FLAGS, Nl.IFF_UP);
        w.putInt(ifi + Nl.IFI_CHANGE, -1);
        w.attrString(Nl.IFLA_IFNAME, "tun0");
        w.attrInt(Nl.IFLA_MTU, 1420);
        int first = w.finish();

        MemorySegment addr = buf.asSlice(first, 1024);
        w = new MessageWriter(addr);
        w.begin(Nl.RTM_NEWADDR, (short) 0, 0);
        long ifa = w.reserve(Nl.IFADDRMSG_LEN);
        w.putByte(ifa + Nl.IFA_FAMILY, Nl.AF_INET);
        w.putByte(ifa + Nl.IFA_PREFIXLEN, 24);
        w.putInt(ifa + Nl.IFA_INDEX, 7);
        w.attr(Nl.IFA_ADDRESS, new byte[] {10, 0, 0, 1});
        w.attr(Nl.IFA_LOCAL, new byte[] {10, 0, 0, 1});
        return first + w.finish();
    }
}
