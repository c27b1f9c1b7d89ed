package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "ss", "nft", "turnserver", "turnutils_stunclient", "turnutils_uclient"})
class CoturnTest {
    private static final Pattern RECEIVED = Pattern.compile("tot_recv_msgs=(\\d+)");

    @Test
    void answersABindingRequestFromBehindANatWithTheRoutersAddressAndRelaysWithLongTermCredentials() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.SYMMETRIC, NatType.ENDPOINT_INDEPENDENT);
            Coturn turn = Coturn.start(t.server(), Topology.SERVER_IP, 3478, "lab", "alice", "wonderland");

            InetSocketAddress seen = StunProbe.mappedAddress(t.alice(), turn.ip(), turn.port());
            assertThat(seen.getHostString()).isEqualTo(t.natA().outsideIp());

            Exec.Result ok = uclient(t.alice(), turn, "-u", "alice", "-w", "wonderland");
            assertThat(ok.exitCode()).as(ok.stdout()).isZero();
            assertThat(lastReceived(ok.stdout())).as("messages relayed through TURN").isPositive();

            Exec.Result bad = uclient(t.alice(), turn, "-u", "alice", "-w", "wrong");
            assertThat(bad.exitCode()).isNotZero();
            assertThat(bad.stdout()).contains("Cannot complete Allocation");

            assertThat(turn.process().isAlive()).isTrue();
            assertThat(Files.readString(turn.logFile())).contains("Relay address to use: " + Topology.SERVER_IP);
        }
    }

    @Test
    void restApiSharedSecretAcceptsPasswordsDerivedFromTheSecret() {
        try (Lab lab = Lab.open()) {
            Host server = lab.publicHost("server", "198.18.0.20/15");
            Host client = lab.publicHost("client", "198.18.0.21/15");
            Coturn turn = Coturn.builder(server).staticAuthSecret("s3cret").start();
            assertThat(turn.ip()).isEqualTo("198.18.0.20");

            String user = (System.currentTimeMillis() / 1000 + 3600) + ":bob";
            Exec.Result ok = uclient(client, turn, "-u", user, "-w", Coturn.restPassword("s3cret", user));
            assertThat(ok.exitCode()).as(ok.stdout()).isZero();
            assertThat(lastReceived(ok.stdout())).isPositive();

            Exec.Result bad = uclient(client, turn, "-u", user, "-w", Coturn.restPassword("other", user));
            assertThat(bad.exitCode()).isNotZero();
        }
    }

    @Test
    void restPasswordIsBase64OfHmacSha1() {
        // RFC 2104 style check against a well-known HMAC-SHA1 value
        assertThat(Coturn.restPassword("key", "The quick brown fox jumps over the lazy dog"))
                .isEqualTo("3nybhbi3iqa8ino29wqQcBydtNk=");
    }

    /** Two clients relaying to each other (-y), one message each, no RTCP: about 3 s. */
    private static Exec.Result uclient(Host host, Coturn turn, String... auth) {
        String[] cmd = new String[auth.length + 12];
        int i = 0;
        cmd[i++] = "turnutils_uclient";
        for (String a : auth) {
            cmd[i++] = a;
        }
        for (String a : new String[] {"-y", "-c", "-z", "1", "-n", "1", "-m", "1", "-p", Integer.toString(turn.port()),
                turn.ip()}) {
            cmd[i++] = a;
        }
        return host.exec(java.util.Arrays.copyOf(cmd, i));
    }

    private static int lastReceived(String output) {
        Matcher m = RECEIVED.matcher(output);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }
}
