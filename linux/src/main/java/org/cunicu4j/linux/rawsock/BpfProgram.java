package org.cunicu4j.linux.rawsock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic BPF program (the {@code SO_ATTACH_FILTER} kind), immutable once built.
 * {@link #builder()} assembles it with named labels for jump targets; {@link #toSockFprog}
 * lays it out as {@code struct sock_fprog} for the kernel.
 *
 * <pre>{@code
 * BpfProgram p = BpfProgram.builder()
 *         .ldhAbs(2).jeq(51820, null, "drop")   // null: fall through
 *         .ret(-1)
 *         .label("drop").ret(0)
 *         .build();
 * }</pre>
 */
public final class BpfProgram {
    /** Most instructions the kernel accepts in one classic program (BPF_MAXINSNS). */
    public static final int MAX_INSTRUCTIONS = 4096;

    // Opcode parts from linux/bpf_common.h.
    static final int LD = 0x00, LDX = 0x01, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    static final int W = 0x00, H = 0x08, B = 0x10;
    static final int IMM = 0x00, ABS = 0x20, IND = 0x40, LEN = 0x80, MSH = 0xa0;
    static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    static final int K = 0x00, X = 0x08, A = 0x10;

    /** {@code struct sock_filter}: u16 code, u8 jt, u8 jf, u32 k. */
    public static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("code"),
            ValueLayout.JAVA_BYTE.withName("jt"),
            ValueLayout.JAVA_BYTE.withName("jf"),
            ValueLayout.JAVA_INT.withName("k"));

    /** {@code struct sock_fprog}: unsigned short len, then a pointer to the instructions. */
    public static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("len"),
            MemoryLayout.paddingLayout(6),
            ValueLayout.ADDRESS.withName("filter"));

    /** A program that drops every packet: {@code ret #0}. */
    public static final BpfProgram DROP_ALL = builder().ret(0).build();

    /** One instruction as the kernel sees it; {@code jt}/{@code jf} are 0..255, {@code k} unsigned. */
    public record Instruction(int code, int jt, int jf, int k) {
        @Override
        public String toString() {
            return String.format("{ 0x%02x, %d, %d, 0x%08x }", code, jt, jf, k);
        }
    }

    private final List<Instruction> instructions;

    private BpfProgram(List<Instruction> instructions) {
        this.instructions = List.copyOf(instructions);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int length() {
        return instructions.size();
    }

    public Instruction instruction(int index) {
        return instructions.get(index);
    }

    public List<Instruction> instructions() {
        return instructions;
    }

    /**
     * Allocates in {@code arena} the instruction array and a {@code struct sock_fprog}
     * pointing at it, and returns the latter (pass it to {@code SO_ATTACH_FILTER}).
     */
    public MemorySegment toSockFprog(Arena arena) {
        MemorySegment filter = arena.allocate(SOCK_FILTER, instructions.size());
        long size = SOCK_FILTER.byteSize();
        for (int i = 0; i < instructions.size(); i++) {
            Instruction insn = instructions.get(i);
            filter.set(ValueLayout.JAVA_SHORT, i * size, (short) insn.code());
            filter.set(ValueLayout.JAVA_BYTE, i * size + 2, (byte) insn.jt());
            filter.set(ValueLayout.JAVA_BYTE, i * size + 3, (byte) insn.jf());
            filter.set(ValueLayout.JAVA_INT, i * size + 4, insn.k());
        }
        MemorySegment fprog = arena.allocate(SOCK_FPROG);
        fprog.set(ValueLayout.JAVA_SHORT, SOCK_FPROG.byteOffset(PathElement.groupElement("len")),
                (short) instructions.size());
        fprog.set(ValueLayout.ADDRESS, SOCK_FPROG.byteOffset(PathElement.groupElement("filter")), filter);
        return fprog;
    }

    /** One instruction per line, {@code { code, jt, jf, k }} as {@code tcpdump -dd} prints. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < instructions.size(); i++) {
            sb.append(String.format("%3d: ", i)).append(instructions.get(i)).append('\n');
        }
        return sb.toString();
    }

    /**
     * Assembles a program. Jump targets are label names (null: the next instruction);
     * {@link #build()} resolves them and rejects what the kernel would: unknown or
     * duplicate labels, backward jumps, conditional jumps further than 255 instructions,
     * and a program that does not end in a return.
     */
    public static final class Builder {
        private record Pending(int code, String jt, String jf, int k, String jaTarget) {}

        private final List<Pending> pending = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        private Builder() {}

        /** Marks the position of the next instruction as {@code name}. */
        public Builder label(String name) {
            if (labels.putIfAbsent(name, pending.size()) != null) {
                throw new IllegalStateException("label '" + name + "' is defined twice");
            }
            return this;
        }

        private Builder add(int code, int k) {
            pending.add(new Pending(code, null, null, k, null));
            return this;
        }

        /** A = 32-bit word at absolute offset {@code off} (network order). */
        public Builder ldAbs(int off) {
            return add(LD | W | ABS, off);
        }

        /** A = 16-bit half-word at absolute offset {@code off}. */
        public Builder ldhAbs(int off) {
            return add(LD | H | ABS, off);
        }

        /** A = byte at absolute offset {@code off}. */
        public Builder ldbAbs(int off) {
            return add(LD | B | ABS, off);
        }

        /** A = 32-bit word at offset X + {@code off}. */
        public Builder ldInd(int off) {
            return add(LD | W | IND, off);
        }

        /** A = 16-bit half-word at offset X + {@code off}. */
        public Builder ldhInd(int off) {
            return add(LD | H | IND, off);
        }

        /** A = byte at offset X + {@code off}. */
        public Builder ldbInd(int off) {
            return add(LD | B | IND, off);
        }

        /** A = {@code k}. */
        public Builder ldImm(int k) {
            return add(LD | W | IMM, k);
        }

        /** A = packet length. */
        public Builder ldLen() {
            return add(LD | W | LEN, 0);
        }

        /** X = 4 * (byte at {@code off} & 0xf): the IPv4 header length when {@code off} is the header's start. */
        public Builder ldxMsh(int off) {
            return add(LDX | B | MSH, off);
        }

        /** A &= {@code k}. */
        public Builder and(int k) {
            return add(ALU | 0x50 | K, k);
        }

        /** X = A. */
        public Builder tax() {
            return add(MISC, 0);
        }

        private Builder jump(int op, int k, String jt, String jf) {
            pending.add(new Pending(JMP | op | K, jt, jf, k, null));
            return this;
        }

        /** If A == k go to {@code jt} else {@code jf} (null: next instruction). */
        public Builder jeq(int k, String jt, String jf) {
            return jump(JEQ, k, jt, jf);
        }

        /** If A > k (unsigned) go to {@code jt} else {@code jf}. */
        public Builder jgt(int k, String jt, String jf) {
            return jump(JGT, k, jt, jf);
        }

        /** If A >= k (unsigned) go to {@code jt} else {@code jf}. */
        public Builder jge(int k, String jt, String jf) {
            return jump(JGE, k, jt, jf);
        }

        /** If A & k != 0 go to {@code jt} else {@code jf}. */
        public Builder jset(int k, String jt, String jf) {
            return jump(JSET, k, jt, jf);
        }

        /** Always go to {@code target} (a 32-bit forward offset). */
        public Builder ja(String target) {
            pending.add(new Pending(JMP | JA, null, null, 0, target));
            return this;
        }

        /** Accept {@code k} bytes of the packet (0 drops it; -1 keeps all of it). */
        public Builder ret(int k) {
            return add(RET | K, k);
        }

        /** Accept A bytes of the packet. */
        public Builder retA() {
            return add(RET | A, 0);
        }

        public BpfProgram build() {
            if (pending.isEmpty()) {
                throw new IllegalStateException("a classic BPF program needs at least one instruction");
            }
            if (pending.size() > MAX_INSTRUCTIONS) {
                throw new IllegalStateException("a classic BPF program has at most " + MAX_INSTRUCTIONS
                        + " instructions, this one " + pending.size());
            }
            for (Map.Entry<String, Integer> e : labels.entrySet()) {
                if (e.getValue() >= pending.size()) {
                    throw new IllegalStateException("label '" + e.getKey() + "' marks no instruction (it is at the end)");
                }
            }
            if ((pending.getLast().code() & 0x07) != RET) {
                throw new IllegalStateException("a classic BPF program must end in ret, this one ends in code 0x"
                        + Integer.toHexString(pending.getLast().code()));
            }
            List<Instruction> out = new ArrayList<>(pending.size());
            for (int i = 0; i < pending.size(); i++) {
                Pending p = pending.get(i);
                if (p.jaTarget() != null) {
                    out.add(new Instruction(p.code(), 0, 0, offset(i, p.jaTarget(), Integer.MAX_VALUE)));
                } else if ((p.code() & 0x07) == JMP) {
                    out.add(new Instruction(p.code(), offset(i, p.jt(), 255), offset(i, p.jf(), 255), p.k()));
                } else {
                    out.add(new Instruction(p.code(), 0, 0, p.k()));
                }
            }
            return new BpfProgram(out);
        }

        private int offset(int from, String label, int max) {
            if (label == null) {
                return 0;
            }
            Integer target = labels.get(label);
            if (target == null) {
                throw new IllegalStateException("instruction " + from + " jumps to undefined label '" + label + "'");
            }
            int offset = target - (from + 1);
            if (offset < 0) {
                throw new IllegalStateException("instruction " + from + " jumps backwards to label '" + label
                        + "' (instruction " + target + "); classic BPF only jumps forwards");
            }
            if (offset > max) {
                throw new IllegalStateException("instruction " + from + " jumps to label '" + label
                        + "' (instruction " + target + "), " + offset
                        + " instructions ahead; a conditional jump reaches at most " + max);
            }
            return offset;
        }
    }
}
