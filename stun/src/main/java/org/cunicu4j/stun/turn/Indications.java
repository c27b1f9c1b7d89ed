package org.cunicu4j.stun.turn;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import org.cunicu4j.stun.AttributeType;

/**
 * Send and Data indications (RFC 8656 sections 11.4 and 11.6) encoded and decoded by hand,
 * without allocating, because they carry relayed data: the data path must not build
 * message objects per packet. Control messages (requests and responses) go through the
 * STUN codec instead. The decoder state is one reusable object per reader thread.
 */
final class Indications {
    static final int MAGIC_COOKIE = 0x2112A442;
    static final int SEND_INDICATION = 0x0016;
    static final int DATA_INDICATION = 0x0017;
    static final int XOR_PEER_ADDRESS = 0x0012;
    static final int DATA = 0x0013;
    static final int HEADER = 20;

    /** Where the decoded fields are; reused for every message. */
    final byte[] peerAddress = new byte[16];
    int peerAddressLength;
    int peerPort;
    int dataOffset;
    int dataLength;

    /** Bytes of a Send indication carrying {@code dataLength} bytes to an address of {@code addressLength} bytes. */
    static int sendIndicationLength(int addressLength, int dataLength) {
        return HEADER + 4 + 4 + addressLength + 4 + ((dataLength + 3) & ~3);
    }

    /**
     * Writes a Send indication at {@code out}'s position (advancing it) carrying {@code data}
     * (position to limit, unchanged) to {@code addr[0..addrLen)}:{@code port}.
     *
     * @throws IllegalArgumentException when the message would not fit STUN's 16-bit length
     *     (nothing is written)
     */
    static void writeSend(ByteBuffer out, byte[] addr, int addrLen, int port, ByteBuffer data) {
        int len = data.remaining();
        int start = out.position();
        int bodyLength = sendIndicationLength(addrLen, len) - HEADER;
        if (bodyLength > 0xFFFF) {
            throw new IllegalArgumentException("a Send indication cannot carry " + len + " bytes");
        }
        out.putShort((short) SEND_INDICATION).putShort((short) bodyLength).putInt(MAGIC_COOKIE);
        int txid = out.position();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        out.putLong(r.nextLong()).putInt(r.nextInt());
        out.putShort((short) XOR_PEER_ADDRESS).putShort((short) (4 + addrLen));
        out.put((byte) 0).put((byte) (addrLen == 4 ? 1 : 2)).putShort((short) (port ^ (MAGIC_COOKIE >>> 16)));
        for (int i = 0; i < addrLen; i++) {
            out.put((byte) (addr[i] ^ xorByte(out, start, txid, i)));
        }
        out.putShort((short) DATA).putShort((short) len).put(out.position(), data, data.position(), len);
        out.position(out.position() + len);
        for (int pad = ((len + 3) & ~3) - len; pad > 0; pad--) {
            out.put((byte) 0);
        }
    }

    /** Byte i of the XOR key: the magic cookie followed by the transaction ID. */
    private static int xorByte(ByteBuffer msg, int start, int txid, int i) {
        return i < 4 ? msg.get(start + 4 + i) : msg.get(txid + i - 4);
    }

    /**
     * Decodes a Data indication occupying {@code msg} from position to limit (unchanged);
     * on success the fields of this object say where the peer and data are (data offsets
     * absolute in {@code msg}).
     *
     * @return false when it is not a well-formed Data indication with XOR-PEER-ADDRESS and DATA,
     *     or it carries a comprehension-required attribute we do not know (RFC 8489 section 6.3.3)
     */
    boolean readData(ByteBuffer msg) {
        int start = msg.position();
        int end = msg.limit();
        if (end - start < HEADER || (msg.getShort(start) & 0xFFFF) != DATA_INDICATION
                || msg.getInt(start + 4) != MAGIC_COOKIE) {
            return false;
        }
        int bodyLength = msg.getShort(start + 2) & 0xFFFF;
        if ((bodyLength & 3) != 0 || start + HEADER + bodyLength > end) {
            return false;
        }
        end = start + HEADER + bodyLength;
        boolean havePeer = false;
        boolean haveData = false;
        int p = start + HEADER;
        while (p + 4 <= end) {
            int type = msg.getShort(p) & 0xFFFF;
            int len = msg.getShort(p + 2) & 0xFFFF;
            int value = p + 4;
            if (value + len > end) {
                return false;
            }
            if (type == XOR_PEER_ADDRESS && !havePeer) {
                if (len < 4) {
                    return false;
                }
                int family = msg.get(value + 1);
                int addrLen = family == 1 ? 4 : family == 2 ? 16 : -1;
                if (addrLen < 0 || len != 4 + addrLen) {
                    return false;
                }
                peerPort = (msg.getShort(value + 2) & 0xFFFF) ^ (MAGIC_COOKIE >>> 16);
                for (int i = 0; i < addrLen; i++) {
                    peerAddress[i] = (byte) (msg.get(value + 4 + i) ^ xorByte(msg, start, start + 8, i));
                }
                peerAddressLength = addrLen;
                havePeer = true;
            } else if (type == DATA && !haveData) {
                dataOffset = value;
                dataLength = len;
                haveData = true;
            } else if (AttributeType.isComprehensionRequired(type) && !AttributeType.isKnown(type)) {
                return false;
            }
            p = value + ((len + 3) & ~3);
        }
        return havePeer && haveData;
    }
}
