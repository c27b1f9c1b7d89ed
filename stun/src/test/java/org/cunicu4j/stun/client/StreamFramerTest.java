package org.cunicu4j.stun.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunParseException;
import org.cunicu4j.stun.TransactionId;
import org.junit.jupiter.api.Test;

class StreamFramerTest {

    static byte[] channelData(int channel, byte[] data, boolean padded) {
        int len = 4 + data.length;
        ByteBuffer b = ByteBuffer.allocate(padded ? StreamFramer.pad(len) : len);
        b.putShort((short) channel).putShort((short) data.length).put(data);
        return b.array();
    }

    @Test
    void cutsStunAndPaddedChannelDataFedAByteAtATime() throws Exception {
        byte[] stun = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random()).software("ab").build();
        byte[] cd = channelData(0x4001, new byte[] {1, 2, 3, 4, 5}, true);
        byte[] empty = channelData(0x4FFF, new byte[0], true);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(stun);
        stream.writeBytes(cd);
        stream.writeBytes(empty);
        stream.writeBytes(stun);
        byte[] all = stream.toByteArray();
        StreamFramer f = new StreamFramer();
        List<StreamFramer.Frame> frames = new ArrayList<>();
        for (byte b : all) {
            f.feed(new byte[] {b}, 0, 1);
            StreamFramer.Frame frame;
            while ((frame = f.next()) != null) {
                frames.add(frame);
            }
        }
        assertThat(frames).extracting(StreamFramer.Frame::kind).containsExactly(StreamFramer.Kind.STUN,
                StreamFramer.Kind.CHANNEL_DATA, StreamFramer.Kind.CHANNEL_DATA, StreamFramer.Kind.STUN);
        assertThat(frames.get(0).data()).isEqualTo(ByteBuffer.wrap(stun));
        assertThat(frames.get(1).data()).isEqualTo(ByteBuffer.wrap(cd, 0, 9)); // padding stripped
        assertThat(frames.get(2).data().remaining()).isEqualTo(4);
        assertThat(f.buffered()).isZero();
    }

    @Test
    void brokenStreamsAreReported() {
        StreamFramer f = new StreamFramer();
        f.feed(new byte[] {(byte) 0x80, 0, 0, 0}, 0, 4);
        assertThatThrownBy(f::next).isInstanceOf(StunParseException.class)
                .hasMessage("the stream holds neither STUN nor ChannelData (first byte 0x80)");
        StreamFramer g = new StreamFramer();
        g.feed(new byte[] {0, 1, 0, 6}, 0, 4);
        assertThatThrownBy(g::next).hasMessageContaining("length 6 on the stream is not a multiple of 4");
    }

    @Test
    void randomFrameSequencesInRandomChunksComeOutWhole() throws Exception {
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            List<byte[]> sent = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = 0, n = 1 + r.nextInt(10); i < n; i++) {
                byte[] data = new byte[r.nextInt(300)];
                r.nextBytes(data);
                if (r.nextBoolean()) {
                    byte[] m = StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random()).data(data).build();
                    sent.add(m);
                    stream.writeBytes(m);
                } else {
                    byte[] cd = channelData(0x4000 + r.nextInt(0x1000), data, true);
                    sent.add(Arrays.copyOf(cd, 4 + data.length));
                    stream.writeBytes(cd);
                }
            }
            byte[] all = stream.toByteArray();
            StreamFramer f = new StreamFramer();
            List<byte[]> got = new ArrayList<>();
            for (int p = 0; p < all.length; ) {
                int chunk = Math.min(all.length - p, 1 + r.nextInt(700));
                f.feed(all, p, chunk);
                p += chunk;
                StreamFramer.Frame frame;
                while ((frame = f.next()) != null) {
                    byte[] b = new byte[frame.data().remaining()];
                    frame.data().get(b);
                    got.add(b);
                }
            }
            assertThat(got).as("seed " + seed).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void arbitraryBytesGiveFramesOrAParseError() {
        for (long seed = 0; seed < 2000; seed++) {
            Random r = new Random(seed);
            byte[] junk = new byte[r.nextInt(200)];
            r.nextBytes(junk);
            StreamFramer f = new StreamFramer();
            f.feed(junk, 0, junk.length);
            try {
                int total = 0;
                StreamFramer.Frame frame;
                while ((frame = f.next()) != null) {
                    total += frame.kind() == StreamFramer.Kind.STUN ? frame.data().remaining()
                            : StreamFramer.pad(frame.data().remaining());
                }
                assertThat(total + f.buffered()).as("seed " + seed).isEqualTo(junk.length);
            } catch (StunParseException e) {
                assertThat(e.getMessage()).as("seed " + seed).isNotBlank();
            }
        }
    }
}
