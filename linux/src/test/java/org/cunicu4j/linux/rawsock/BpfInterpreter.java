package org.cunicu4j.linux.rawsock;

import java.nio.ByteBuffer;

/** A classic BPF interpreter for the instructions {@link BpfProgram} emits, to test filters without a kernel. */
final class BpfInterpreter {
    private BpfInterpreter() {}

    /** The filter's verdict (bytes to keep, 0 = drop) for {@code packet}; out-of-bounds loads return 0 as the kernel does. */
    static int run(BpfProgram program, byte[] packet) {
        ByteBuffer p = ByteBuffer.wrap(packet);
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            BpfProgram.Instruction insn = program.instruction(pc++);
            int code = insn.code();
            int k = insn.k();
            switch (code & 0x07) {
                case 0x00 -> { // LD
                    int mode = code & 0xe0;
                    int size = code & 0x18;
                    if (mode == 0x00) {
                        a = k;
                        continue;
                    }
                    if (mode == 0x80) {
                        a = packet.length;
                        continue;
                    }
                    long off = mode == 0x20 ? Integer.toUnsignedLong(k) : Integer.toUnsignedLong(x) + k;
                    int width = size == 0x00 ? 4 : size == 0x08 ? 2 : 1;
                    if (off < 0 || off + width > packet.length) {
                        return 0;
                    }
                    a = switch (width) {
                        case 4 -> p.getInt((int) off);
                        case 2 -> p.getShort((int) off) & 0xffff;
                        default -> p.get((int) off) & 0xff;
                    };
                }
                case 0x01 -> { // LDX MSH
                    if (Integer.toUnsignedLong(k) >= packet.length) {
                        return 0;
                    }
                    x = (packet[k] & 0x0f) * 4;
                }
                case 0x04 -> a &= k;
                case 0x05 -> {
                    int op = code & 0xf0;
                    if (op == 0x00) {
                        pc += k;
                        continue;
                    }
                    boolean taken = switch (op) {
                        case 0x10 -> a == k;
                        case 0x20 -> Integer.compareUnsigned(a, k) > 0;
                        case 0x30 -> Integer.compareUnsigned(a, k) >= 0;
                        case 0x40 -> (a & k) != 0;
                        default -> throw new IllegalStateException("jump op " + op);
                    };
                    pc += taken ? insn.jt() : insn.jf();
                }
                case 0x06 -> {
                    return (code & 0x18) == 0x10 ? a : k;
                }
                case 0x07 -> x = a;
                default -> throw new IllegalStateException("unsupported code 0x" + Integer.toHexString(code));
            }
        }
    }
}
