package org.cunicu4j.linux.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.util.List;
import java.util.Map;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.mesh.Json;
import org.junit.jupiter.api.Test;

/**
 * The libnftables binding in a lab namespace: a table made from JSON appears in nft's JSON
 * listing (and in the {@code nft} tool's), is deleted again, and nft's error text comes back
 * in the exception; a library that is not there is named.
 */
class LibnftablesTest {

    @Test
    void aLibraryThatIsNotThereIsNamed() {
        assertThatThrownBy(() -> Libnftables.load("/nonexistent/libnftables.so.1"))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("/nonexistent/libnftables.so.1 not found (install libnftables1)");
    }

    @Test
    @RequiresTools("nft")
    void aLibraryIsBoundOncePerName() throws Exception {
        Libnftables first = Libnftables.load();
        assertThat(Libnftables.load(Libnftables.DEFAULT_LIBRARY)).as("the same binding, no new lookup or handles").isSameAs(first);
    }

    @Test
    @RequiresRoot
    @RequiresTools("nft")
    void createsListsAndDeletesATableInANamespace() throws Exception {
        Libnftables nft = Libnftables.load();
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            String table = "cunicu4j-bindingtest";
            NetNs.call(h.netns(), () -> nft.run("""
                    {"nftables": [
                      {"add": {"table": {"family": "inet", "name": "%s"}}},
                      {"add": {"chain": {"family": "inet", "table": "%s", "name": "input", "type": "filter",
                                         "hook": "input", "prio": -300, "policy": "accept"}}},
                      {"add": {"rule": {"family": "inet", "table": "%s", "chain": "input", "comment": "cunicu4j",
                                        "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}},
                                                            "right": 4242}},
                                                 {"notrack": null}]}}}
                    ]}""".formatted(table, table, table)));

            String listed = NetNs.call(h.netns(), () -> nft.run("list ruleset"));
            List<Object> items = Json.array(Json.object(Json.parse(listed)).get("nftables"));
            assertThat(items.stream().map(Json::object).filter(m -> m.containsKey("table"))
                    .map(m -> Json.object(m.get("table")).get("name")))
                    .as("tables listed as JSON by libnftables: %s", listed).containsExactly(table);
            Map<String, Object> rule = items.stream().map(Json::object).filter(m -> m.containsKey("rule"))
                    .map(m -> Json.object(m.get("rule"))).findFirst().orElseThrow();
            assertThat(rule.get("comment")).isEqualTo("cunicu4j");
            assertThat(h.run("nft", "list", "table", "inet", table).stdout())
                    .as("what the nft tool sees").contains("udp dport 4242 notrack");
            assertThat(lab.host("other").run("nft", "list", "tables").stdout())
                    .as("another namespace is untouched").doesNotContain(table);

            assertThatThrownBy(() -> NetNs.call(h.netns(), () -> nft.run("add table inet " + table + "\nadd rule inet " + table + " nochain accept")))
                    .isInstanceOf(NftException.class)
                    .hasMessageContaining("No such file or directory")
                    .satisfies(e -> assertThat(((NftException) e).nftError()).startsWith("Error:"));

            NetNs.call(h.netns(), () -> nft.run("{\"nftables\": [{\"delete\": {\"table\": {\"family\": \"inet\", \"name\": \"" + table + "\"}}}]}"));
            assertThat(h.run("nft", "list", "tables").stdout()).doesNotContain(table);
        }
    }
}
