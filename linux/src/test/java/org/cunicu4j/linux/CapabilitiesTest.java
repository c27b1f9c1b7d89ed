package org.cunicu4j.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.cunicu4j.testlab.RequiresRoot;
import org.junit.jupiter.api.Test;

@RequiresRoot
class CapabilitiesTest {

    @Test
    void droppingOnAThrowawayThreadLeavesOtherThreadsPrivileged() throws Exception {
        assertThat(Capabilities.has(Capabilities.CAP_NET_ADMIN)).isTrue();

        boolean[] after = onThrowawayThread(() -> {
            boolean before = Capabilities.has(Capabilities.CAP_NET_ADMIN);
            Capabilities.dropOnCurrentThread(Capabilities.CAP_NET_ADMIN);
            return new boolean[] {before, Capabilities.has(Capabilities.CAP_NET_ADMIN),
                    Capabilities.has(Capabilities.CAP_NET_RAW)};
        });

        assertThat(after).containsExactly(true, false, true);
        assertThat(Capabilities.has(Capabilities.CAP_NET_ADMIN)).as("the test thread keeps it").isTrue();
    }

    @Test
    void aDroppedCapabilityCannotBeTakenBack() throws Exception {
        String message = onThrowawayThread(() -> {
            Capabilities.dropOnCurrentThread(Capabilities.CAP_NET_RAW);
            // Dropping again is fine: it only clears bits.
            Capabilities.dropOnCurrentThread(Capabilities.CAP_NET_RAW, Capabilities.CAP_SYS_ADMIN);
            return Capabilities.has(Capabilities.CAP_NET_RAW) + " " + Capabilities.has(Capabilities.CAP_SYS_ADMIN);
        });
        assertThat(message).isEqualTo("false false");
    }

    @Test
    void namesAndRange() {
        assertThat(Capabilities.name(Capabilities.CAP_NET_ADMIN)).isEqualTo("CAP_NET_ADMIN");
        assertThat(Capabilities.name(Capabilities.CAP_NET_RAW)).isEqualTo("CAP_NET_RAW");
        assertThat(Capabilities.name(Capabilities.CAP_SYS_ADMIN)).isEqualTo("CAP_SYS_ADMIN");
        assertThat(Capabilities.name(40)).isEqualTo("CAP_40");
        assertThatThrownBy(() -> Capabilities.has(64)).isInstanceOf(IllegalArgumentException.class);
    }

    private static <T> T onThrowawayThread(Callable<T> task) throws Exception {
        FutureTask<T> future = new FutureTask<>(task);
        Thread t = Thread.ofPlatform().name("caps-throwaway").start(future);
        t.join();
        return future.get();
    }
}
