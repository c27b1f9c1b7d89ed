package org.cunicu4j.linux.rawsock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class BpfProgramTest {

    @Test
    void labelsResolveToForwardOffsetsAndNullFallsThrough() {
        BpfProgram p = BpfProgram.builder()
                .ldhAbs(2)                         // 0
                .jeq(53, null, "drop")             // 1: jt 0, jf -> 4 => 2
                .ldAbs(12)                         // 2
                .jset(0xff, "accept", "drop")      // 3: jt -> 5? see labels
                .label("drop").ret(0)              // 4
                .label("accept").ret(-1)           // 5
                .build();
        assertThat(p.length()).isEqualTo(6);
        assertThat(p.instruction(1)).isEqualTo(new BpfProgram.Instruction(0x15, 0, 2, 53));
        assertThat(p.instruction(3)).isEqualTo(new BpfProgram.Instruction(0x45, 1, 0, 0xff));
        assertThat(p.instruction(0)).isEqualTo(new BpfProgram.Instruction(0x28, 0, 0, 2));
        assertThat(p.instruction(2)).isEqualTo(new BpfProgram.Instruction(0x20, 0, 0, 12));
        assertThat(p.instruction(5)).isEqualTo(new BpfProgram.Instruction(0x06, 0, 0, -1));
    }

    @Test
    void opcodesMatchTheKernelHeaders() {
        BpfProgram p = BpfProgram.builder()
                .ldbAbs(9).ldInd(1).ldhInd(2).ldbInd(3).ldxMsh(0).jgt(1, null, null).jge(2, null, null)
                .ja("end").label("end").retA()
                .build();
        assertThat(p.instructions()).extracting(BpfProgram.Instruction::code)
                .containsExactly(0x30, 0x40, 0x48, 0x50, 0xb1, 0x25, 0x35, 0x05, 0x16);
    }

    @Test
    void jumpsFurtherThan255AreRejectedWithTheDistance() {
        BpfProgram.Builder b = BpfProgram.builder().ldhAbs(2).jeq(1, null, "far");
        for (int i = 0; i < 256; i++) {
            b.ldAbs(0);
        }
        b.label("far").ret(0);
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("instruction 1 jumps to label 'far' (instruction 258), 256 instructions ahead;"
                        + " a conditional jump reaches at most 255");
    }

    @Test
    void exactly255IsFine() {
        BpfProgram.Builder b = BpfProgram.builder().ldhAbs(2).jeq(1, null, "far");
        for (int i = 0; i < 255; i++) {
            b.ldAbs(0);
        }
        BpfProgram p = b.label("far").ret(0).build();
        assertThat(p.instruction(1).jf()).isEqualTo(255);
    }

    @Test
    void undefinedDuplicateAndBackwardLabelsAreRejected() {
        assertThatThrownBy(() -> BpfProgram.builder().jeq(1, "nowhere", null).ret(0).build())
                .hasMessage("instruction 0 jumps to undefined label 'nowhere'");
        assertThatThrownBy(() -> BpfProgram.builder().label("x").ret(0).label("x"))
                .hasMessage("label 'x' is defined twice");
        assertThatThrownBy(() -> BpfProgram.builder().label("top").ldAbs(0).jeq(1, "top", null).ret(0).build())
                .hasMessage("instruction 1 jumps backwards to label 'top' (instruction 0);"
                        + " classic BPF only jumps forwards");
        assertThatThrownBy(() -> BpfProgram.builder().ldAbs(0).build())
                .hasMessageStartingWith("a classic BPF program must end in ret");
        assertThatThrownBy(() -> BpfProgram.builder().ret(0).label("end").build())
                .hasMessage("label 'end' marks no instruction (it is at the end)");
    }

    @Test
    void sockFprogPointsAtTheInstructions() {
        BpfProgram p = BpfFilters.stun(3478, 2);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fprog = p.toSockFprog(arena);
            assertThat(fprog.byteSize()).isEqualTo(16);
            assertThat(fprog.get(ValueLayout.JAVA_SHORT, 0)).isEqualTo((short) p.length());
            MemorySegment insns = fprog.get(ValueLayout.ADDRESS, 8).reinterpret(8L * p.length());
            for (int i = 0; i < p.length(); i++) {
                BpfProgram.Instruction insn = p.instruction(i);
                assertThat(insns.get(ValueLayout.JAVA_SHORT, 8L * i) & 0xffff).isEqualTo(insn.code());
                assertThat(insns.get(ValueLayout.JAVA_BYTE, 8L * i + 2) & 0xff).isEqualTo(insn.jt());
                assertThat(insns.get(ValueLayout.JAVA_BYTE, 8L * i + 3) & 0xff).isEqualTo(insn.jf());
                assertThat(insns.get(ValueLayout.JAVA_INT, 8L * i + 4)).isEqualTo(insn.k());
            }
        }
    }
}
