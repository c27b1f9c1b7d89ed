package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.cunicu4j.linux.LinuxException;
import org.junit.jupiter.api.Test;

class GenericNetlinkTest {

    @Test
    void resolvesTheControllerAndNoFamilyForAnUnknownName() throws Exception {
        try (GenericNetlink nl = GenericNetlink.open()) {
            // the controller resolves itself to its fixed id
            assertThat(nl.familyId("nlctrl")).isEqualTo(OptionalInt.of(GenericNetlink.GENL_ID_CTRL));
            assertThat(nl.familyId("c4jnofamily")).isEmpty();
            assertThatThrownBy(() -> nl.familyId("a-name-over-15-bytes")).isInstanceOf(IllegalArgumentException.class);
            // a command the controller does not have: the kernel's refusal names the request
            assertThatThrownBy(() -> nl.request(GenericNetlink.GENL_ID_CTRL, 250, 1, false, new byte[0], "CTRL_CMD_250"))
                    .isInstanceOf(LinuxException.class).hasMessageStartingWith("CTRL_CMD_250: EOPNOTSUPP");
        }
    }

    /** One reply message (family 0x20, one 8-byte attribute) and NLMSG_DONE, for sequence 7, as the kernel lays them out. */
    private static byte[] dump(int replyFlags) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(28 + 20).order(java.nio.ByteOrder.nativeOrder());
        b.putInt(28).putShort((short) 0x20).putShort((short) replyFlags).putInt(7).putInt(0); // nlmsghdr
        b.put((byte) 1).put((byte) 1).putShort((short) 0);                                     // genlmsghdr
        b.putShort((short) 8).putShort((short) 1).putInt(42);                                  // an attribute
        b.putInt(20).putShort(Nl.NLMSG_DONE).putShort(Nl.NLM_F_MULTI).putInt(7).putInt(0);     // NLMSG_DONE
        b.putInt(0);                                                                           // its error: none
        return b.array();
    }

    @Test
    void anInterruptedDumpIsAnEintrToRetry() throws Exception {
        try (GenericNetlink nl = GenericNetlink.open()) {
            byte[] clean = dump(Nl.NLM_F_MULTI);
            java.lang.foreign.MemorySegment.copy(clean, 0, nl.rx, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, clean.length);
            java.util.List<byte[]> replies = new java.util.ArrayList<>();
            assertThat(nl.process(clean.length, 7, true, replies, "DUMP(x)")).isTrue();
            assertThat(replies).hasSize(1);
            assertThat(replies.getFirst()).hasSize(8);

            byte[] interrupted = dump(Nl.NLM_F_MULTI | Nl.NLM_F_DUMP_INTR);
            java.lang.foreign.MemorySegment.copy(interrupted, 0, nl.rx, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, interrupted.length);
            assertThatThrownBy(() -> nl.process(interrupted.length, 7, true, new java.util.ArrayList<>(), "DUMP(x)"))
                    .isInstanceOf(LinuxException.class).hasMessageStartingWith("DUMP(x): EINTR")
                    .hasMessageContaining("NLM_F_DUMP_INTR")
                    .satisfies(e -> assertThat(((LinuxException) e).errno()).isEqualTo(org.cunicu4j.linux.Errno.EINTR));
            // the next request starts clean
            assertThat(nl.familyId("nlctrl")).isEqualTo(OptionalInt.of(GenericNetlink.GENL_ID_CTRL));
        }
    }
}
