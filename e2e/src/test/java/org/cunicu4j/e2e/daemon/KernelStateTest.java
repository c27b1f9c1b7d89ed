package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link KernelState} picks an interface's part out of {@code nft list ruleset} and {@code /proc/net/raw}. */
class KernelStateTest {
    private static final String IF = "c4j1m1a";

    private static final String RULESET = """
            table inet filter {
            	chain input {
            		type filter hook input priority filter; policy accept;
            	}
            }
            table ip nat {
            	chain PREROUTING {
            		type nat hook prerouting priority dstnat; policy accept;
            		counter packets 10 bytes 840 jump c4j-c4j1m1a-pre
            	}
            	chain c4j-c4j1m1a-pre {
            		meta l4proto udp udp dport 39412 counter packets 3 bytes 9 redirect to :51820 comment "cunicu4j c4j1m1a"
            	}
            }
            table ip6 nat {
            	chain c4j-c4j1m1a-pre {
            		meta l4proto udp udp dport 39412 counter packets 0 bytes 0 redirect to :51820 comment "cunicu4j c4j1m1a"
            	}
            }
            table inet cunicu4j-c4j1m1a { # handle 7
            	chain input { # handle 1
            		type filter hook prerouting priority raw; policy accept;
            		udp dport 40000 udp dport set 51820 comment "cunicu4j" # handle 3
            	}
            }
            table inet cunicu4j-c4j1m1b {
            	chain input {
            		udp dport 40001 comment "other"
            	}
            }
            """;

    @Test
    void nftLinesOfTheInterfaceWithTheirTablesAndNoFalseDuplicates() {
        List<String> lines = KernelState.belonging(RULESET, IF);
        assertThat(lines).doesNotContain("table inet filter {").contains("table ip nat {", "table ip6 nat {",
                "table inet cunicu4j-c4j1m1a { # handle 7");
        assertThat(String.join("\n", lines)).doesNotContain("40001").doesNotContain("chain PREROUTING");
        KernelState s = new KernelState(lines, List.of(), 0);
        assertThat(s.nftTables()).containsExactly("table inet cunicu4j-c4j1m1a { # handle 7");
        assertThat(s.duplicates()).as("the same chain in ip and ip6 nat is no duplicate").isEmpty();
        assertThat(s.noRules()).isFalse();
    }

    @Test
    void aTableOrChainInstalledTwiceIsADuplicate() {
        String twice = RULESET + """
                table inet cunicu4j-c4j1m1a {
                	chain input {
                		udp dport 40000 udp dport set 51820 comment "cunicu4j" # handle 9
                	}
                }
                """;
        KernelState s = new KernelState(KernelState.belonging(twice, IF), List.of(), 0);
        assertThat(s.duplicates()).contains("table inet cunicu4j-c4j1m1a {");
        assertThat(s.nftTables()).hasSize(2);
    }

    @Test
    void nothingOfTheInterfaceIsNoRules() {
        KernelState s = new KernelState(KernelState.belonging("table inet filter {\n}\n", IF), List.of(), 0);
        assertThat(s.noRules()).isTrue();
        assertThat(s.duplicates()).isEmpty();
    }

    @Test
    void rawUdpSocketsAreCountedByProtocol() {
        String raw = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                  17: 00000000:0011 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0 0
                   1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0 0
                """;
        assertThat(KernelState.rawUdp(raw)).isEqualTo(1);
        String raw6 = """
                  sl  local_address                         remote_address                        st
                  17: 00000000000000000000000000000000:0011 00000000000000000000000000000000:0000 07
                """;
        assertThat(KernelState.rawUdp(raw6)).isEqualTo(1);
    }
}
