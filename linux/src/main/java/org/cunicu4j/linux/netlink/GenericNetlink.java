package org.cunicu4j.linux.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;

/**
 * A generic-netlink client ({@code NETLINK_GENERIC}) in the network namespace of the thread
 * that {@linkplain #open() opened} it: resolves a family's id by name
 * ({@code CTRL_CMD_GETFAMILY}) and runs a family's commands, acknowledged or dumped. The
 * family's attributes are the caller's business: requests take them as bytes, replies
 * give them back as bytes (what follows the {@code genlmsghdr} of each message), in host
 * byte order like every netlink integer.
 *
 * <p>A kernel refusal becomes a {@link LinuxException} naming the request, with the kernel's
 * extended-ack message where it sent one. Threading: requests are synchronized;
 * {@link #close()} from any thread.
 */
public final class GenericNetlink implements AutoCloseable {
    /** The netlink protocol number of generic netlink. */
    static final int NETLINK_GENERIC = 16;
    /** The controller family, fixed. */
    static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_CMD_GETFAMILY = 3;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    /** Family names are at most 15 bytes and a NUL. */
    static final int GENL_NAMSIZ = 16;
    /** struct genlmsghdr { u8 cmd; u8 version; u16 reserved; } */
    public static final int GENLMSGHDR_LEN = 4;
    private static final int RECEIVE_BUFFER = 256 * 1024;

    private final NetlinkSocket socket;
    final MemorySegment rx; // package-private: tests feed it bytes for process()
    private final MessageCursor cursor = new MessageCursor();
    private final AttrCursor attrs = new AttrCursor();
    private int seq;
    private boolean dumpInterrupted;

    private GenericNetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.rx = Arena.ofAuto().allocate(RECEIVE_BUFFER, 8);
        this.seq = (int) (System.nanoTime() & 0x7fff_ffff);
    }

    /** Opens a NETLINK_GENERIC socket in the calling thread's network namespace. */
    public static GenericNetlink open() throws LinuxException {
        return new GenericNetlink(NetlinkSocket.open(NETLINK_GENERIC, "NETLINK_GENERIC", 0));
    }

    /**
     * The id of family {@code name} (at most 15 bytes), or empty when the kernel has no such family (the module is not loaded).
     */
    public synchronized OptionalInt familyId(String name) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > GENL_NAMSIZ - 1) {
            throw new IllegalArgumentException("a generic-netlink family name has 1.." + (GENL_NAMSIZ - 1) + " bytes: \"" + name + "\"");
        }
        ByteBuffer attr = ByteBuffer.allocate(Nl.align(Nl.RTATTR_LEN + nameBytes.length + 1)).order(ByteOrder.nativeOrder());
        attr.putShort((short) (Nl.RTATTR_LEN + nameBytes.length + 1)).putShort((short) CTRL_ATTR_FAMILY_NAME).put(nameBytes);
        List<byte[]> replies;
        try {
            replies = exchange(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, false, attr.array(),
                    "CTRL_CMD_GETFAMILY(\"" + name + "\")");
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) {
                return OptionalInt.empty();
            }
            throw e;
        }
        for (byte[] reply : replies) {
            MemorySegment seg = MemorySegment.ofArray(reply);
            attrs.reset(seg, 0, reply.length);
            while (attrs.next()) {
                if (attrs.type() == CTRL_ATTR_FAMILY_ID && attrs.valueLength() >= 2) {
                    byte[] v = attrs.bytesValue();
                    return OptionalInt.of(Short.toUnsignedInt(ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getShort()));
                }
            }
        }
        throw new LinuxException("CTRL_CMD_GETFAMILY(\"" + name + "\")", Errno.EIO, "the answer carries no CTRL_ATTR_FAMILY_ID");
    }

    /**
     * Sends command {@code cmd} of {@code family} with {@code attributes} and returns the
     * attributes of every reply message of that family, in order.
     *
     * @param dump a dump request ({@code NLM_F_DUMP}): replies until {@code NLMSG_DONE};
     *     otherwise acknowledged ({@code NLM_F_ACK})
     * @param what names the request in errors, e.g. {@code WG_CMD_SET_DEVICE(wg0)}
     */
    public synchronized List<byte[]> request(int family, int cmd, int version, boolean dump, byte[] attributes, String what)
            throws IOException {
        return exchange(family, cmd, version, dump, attributes, what);
    }

    private List<byte[]> exchange(int family, int cmd, int version, boolean dump, byte[] attributes, String what)
            throws IOException {
        int mySeq = ++seq;
        int len = Nl.NLMSGHDR_LEN + GENLMSGHDR_LEN + attributes.length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tx = arena.allocate(len, 8);
            MessageWriter writer = new MessageWriter(tx);
            writer.begin((short) family, (short) (Nl.NLM_F_REQUEST | (dump ? Nl.NLM_F_DUMP : Nl.NLM_F_ACK)), mySeq);
            long genl = writer.reserve(GENLMSGHDR_LEN);
            writer.putByte(genl, cmd);
            writer.putByte(genl + 1, version);
            long body = writer.reserve(attributes.length);
            MemorySegment.copy(attributes, 0, tx, ValueLayout.JAVA_BYTE, body, attributes.length);
            socket.send(tx, writer.finish(), what);
        }
        List<byte[]> replies = new ArrayList<>();
        dumpInterrupted = false;
        while (true) {
            int n = socket.receive(rx);
            if (process(n, mySeq, dump, replies, what)) {
                return replies;
            }
        }
    }

    /**
     * Processes {@code n} bytes received into {@code rx} for request {@code mySeq}, adding
     * reply attributes to {@code replies}; true when the answer is complete.
     *
     * @throws LinuxException the kernel's error, or EINTR when a dump message carried
     *     {@code NLM_F_DUMP_INTR} (the data changed during the dump: the result may be
     *     inconsistent, the caller should dump again)
     */
    boolean process(int n, int mySeq, boolean dump, List<byte[]> replies, String what) throws LinuxException {
        cursor.reset(rx, n);
        while (cursor.next()) {
            if (cursor.seq() != mySeq) {
                continue; // a late answer to an earlier, abandoned request
            }
            if ((cursor.flags() & Nl.NLM_F_DUMP_INTR) != 0) {
                dumpInterrupted = true;
            }
            switch (cursor.type()) {
                case Nl.NLMSG_NOOP -> { }
                case Nl.NLMSG_ERROR -> {
                    int error = cursor.payloadLength() >= 4 ? rx.get(ValueLayout.JAVA_INT_UNALIGNED, cursor.payload()) : -Errno.EIO;
                    if (error == 0) {
                        return true;
                    }
                    throw failure(what, -error);
                }
                case Nl.NLMSG_DONE -> {
                    int error = cursor.payloadLength() >= 4 ? rx.get(ValueLayout.JAVA_INT_UNALIGNED, cursor.payload()) : 0;
                    if (error < 0) {
                        throw failure(what, -error);
                    }
                    if (dump) {
                        if (dumpInterrupted) {
                            throw new LinuxException(what, Errno.EINTR,
                                    "the dump was interrupted by a concurrent change (NLM_F_DUMP_INTR); dump again");
                        }
                        return true;
                    }
                }
                default -> {
                    if (cursor.payloadLength() >= GENLMSGHDR_LEN) {
                        long from = cursor.payload() + GENLMSGHDR_LEN;
                        replies.add(rx.asSlice(from, cursor.payloadEnd() - from).toArray(ValueLayout.JAVA_BYTE));
                    }
                }
            }
        }
        if (cursor.malformed()) {
            throw new LinuxException(what, Errno.EIO, "the kernel's answer has a malformed netlink header");
        }
        return false;
    }

    private LinuxException failure(String what, int errno) {
        String hint = errno == Errno.EPERM ? "generic-netlink changes need CAP_NET_ADMIN (run as root or grant the capability)" : null;
        return new LinuxException(what, errno, Nl.withKernelMessage(hint, Nl.extAckMessage(rx, cursor, attrs)));
    }

    @Override
    public void close() {
        socket.close();
    }
}
