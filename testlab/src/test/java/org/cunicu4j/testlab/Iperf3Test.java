package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class Iperf3Test {

    @Test
    @RequiresRoot
    @RequiresTools({"ip", "ss", "iperf3"})
    void measuresThroughputBetweenTwoHosts() {
        try (Lab lab = Lab.open()) {
            Host a = lab.host("a");
            Host b = lab.host("b");
            lab.link(a, "10.77.0.1/24", b, "10.77.0.2/24");
            Iperf3.server(b, Iperf3.DEFAULT_PORT);
            double bps = Iperf3.client(a, "10.77.0.2", Iperf3.DEFAULT_PORT, Duration.ofSeconds(1));
            assertThat(bps).isGreaterThan(10e6);
        }
    }

    @Test
    void parsesTheReceiverSumOfTcpAndTheSumOfUdp() {
        String tcp = """
                {"end": {"streams": [], "sum_sent": {"bytes": 10, "bits_per_second": 2.5e9, "retransmits": 0},
                 "sum_received": {"bytes": 9, "bits_per_second": 2.25e9}}}""";
        String udp = """
                {"end": {"sum": {"start": 0, "bits_per_second": 1048576.5, "lost_packets": 0}}}""";
        assertThat(Iperf3.bitsPerSecond(tcp)).isCloseTo(2.25e9, within(1.0));
        assertThat(Iperf3.bitsPerSecond(udp)).isCloseTo(1048576.5, within(0.01));
    }
}
