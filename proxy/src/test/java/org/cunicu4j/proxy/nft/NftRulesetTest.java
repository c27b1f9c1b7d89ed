package org.cunicu4j.proxy.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cunicu4j.testlab.mesh.Json;
import org.junit.jupiter.api.Test;

/** The JSON of NftablesProxy's transactions, read back with the tests' JSON reader (no nft needed). */
class NftRulesetTest {

    @Test
    void anInstallIsOneTransactionThatFlushesAndWritesEveryRule() throws Exception {
        List<NftRuleset.Pair> pairs = List.of(
                new NftRuleset.Pair("peer AAAA", new InetSocketAddress("198.18.2.1", 40000)),
                new NftRuleset.Pair("peer BBBB", new InetSocketAddress(
                        Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3), 40001)),
                new NftRuleset.Pair("peer CCCC", new InetSocketAddress("2001:db8::2", 40002)));
        List<Map<String, Object>> cmds = commands(NftRuleset.install("cunicu4j-wg0", false, 51820, 33333, 0, pairs));
        assertThat(cmds.stream().map(c -> c.keySet().iterator().next()).toList())
                .as("no delete without purge; flush before the rules; the IPv6 pairs left out without an IPv6 ICE port")
                .containsExactly("add", "add", "add", "flush", "add", "add");

        List<Map<String, Object>> v6 = commands(NftRuleset.install("cunicu4j-wg0", false, 51820, 0, 44444, pairs));
        Map<String, Object> linkLocal = rule(v6.get(5));
        assertThat(linkLocal.get("comment")).isEqualTo("cunicu4j peer BBBB");
        assertThat(Json.array(linkLocal.get("expr")).toString()).as("the scope is not part of nft's address")
                .contains("protocol=ip6, field=daddr}}, right=fe80:0:0:0:0:0:0:1}").doesNotContain("%");
        assertThat(rule(v6.get(4)).get("chain")).isEqualTo("input");
        assertThat(Json.array(rule(v6.get(4)).get("expr")).toString()).contains("right=ipv6").contains("right=44444")
                .contains("value=51820").contains("right=554869826");
    }

    @Test
    void aPurgeDeletesTheTableFirstAndARemovalNeverFailsOnAMissingOne() {
        List<Map<String, Object>> cmds = commands(NftRuleset.install("cunicu4j-wg0", true, 51820, 33333, 44444, List.of()));
        assertThat(cmds.stream().map(c -> c.keySet().iterator().next()).toList())
                .containsExactly("add", "delete", "add", "add", "add", "flush", "add", "add");
        assertThat(commands(NftRuleset.remove("cunicu4j-wg0")).stream().map(c -> c.keySet().iterator().next()).toList())
                .as("add then delete: no error when it is not there").containsExactly("add", "delete");
    }

    @Test
    void namesWithAnyCharacterSurviveTheRoundTrip() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 500; i++) {
            StringBuilder name = new StringBuilder();
            int n = 1 + random.nextInt(15);
            for (int j = 0; j < n; j++) {
                name.append((char) random.nextInt(random.nextBoolean() ? 0x80 : 0x3000));
            }
            String table = NftRuleset.tableName(name.toString());
            Map<String, Object> t = Json.object(Json.object(commands(NftRuleset.remove(table)).getFirst().get("add")).get("table"));
            assertThat(t.get("name")).as("seed %d", seed).isEqualTo(table);
        }
        assertThatThrownBy(() -> NftJson.write(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Map<String, Object>> commands(String json) {
        return Json.array(Json.object(Json.parse(json)).get("nftables")).stream().map(Json::object).toList();
    }

    private static Map<String, Object> rule(Map<String, Object> cmd) {
        return Json.object(Json.object(cmd.get("add")).get("rule"));
    }
}
