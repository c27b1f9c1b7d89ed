package org.cunicu4j.proxy.nft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.mesh.Json;

/**
 * A host's ruleset as {@code nft -j list ruleset} prints it (the nft tool, not our binding),
 * parsed into tables, chains and rules for assertions.
 */
record NftListing(List<Map<String, Object>> tables, List<Map<String, Object>> chains, List<Map<String, Object>> rules, String text) {

    static NftListing of(Host host) {
        String text = host.run("nft", "-j", "list", "ruleset").stdout();
        List<Map<String, Object>> tables = new ArrayList<>();
        List<Map<String, Object>> chains = new ArrayList<>();
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object o : Json.array(Json.object(Json.parse(text)).get("nftables"))) {
            Map<String, Object> item = Json.object(o);
            if (item.containsKey("table")) {
                tables.add(Json.object(item.get("table")));
            } else if (item.containsKey("chain")) {
                chains.add(Json.object(item.get("chain")));
            } else if (item.containsKey("rule")) {
                rules.add(Json.object(item.get("rule")));
            }
        }
        return new NftListing(tables, chains, rules, text);
    }

    /** How many tables of family inet are named {@code name}. */
    long tablesNamed(String name) {
        return tables.stream().filter(t -> "inet".equals(t.get("family")) && name.equals(t.get("name"))).count();
    }

    /** The chain names of inet table {@code table}. */
    List<String> chainsOf(String table) {
        return chains.stream().filter(c -> "inet".equals(c.get("family")) && table.equals(c.get("table")))
                .map(c -> (String) c.get("name")).toList();
    }

    /** The rules of {@code chain} in inet table {@code table}. */
    List<Rule> rulesOf(String table, String chain) {
        return rules.stream().filter(r -> "inet".equals(r.get("family")) && table.equals(r.get("table")) && chain.equals(r.get("chain")))
                .map(Rule::new).toList();
    }

    /** One rule: its comment and the values of its matches and port rewrite. */
    record Rule(Map<String, Object> json) {
        String comment() {
            return (String) json.get("comment");
        }

        /** The right side of the {@code ==} match on {@code protocol field} (e.g. udp dport, ip daddr), or null. */
        Object match(String protocol, String field) {
            for (Object e : Json.array(json.get("expr"))) {
                Map<String, Object> ex = Json.object(e);
                if (ex.containsKey("match")) {
                    Map<String, Object> m = Json.object(ex.get("match"));
                    if (m.get("left") instanceof Map<?, ?> left && left.get("payload") instanceof Map<?, ?> p
                            && protocol.equals(p.get("protocol")) && field.equals(p.get("field")) && "==".equals(m.get("op"))) {
                        return m.get("right");
                    }
                }
            }
            return null;
        }

        /** The value a {@code udp <field> set} writes, or null. */
        Object rewrite(String field) {
            for (Object e : Json.array(json.get("expr"))) {
                Map<String, Object> ex = Json.object(e);
                if (ex.containsKey("mangle")) {
                    Map<String, Object> m = Json.object(ex.get("mangle"));
                    if (m.get("key") instanceof Map<?, ?> k && k.get("payload") instanceof Map<?, ?> p && field.equals(p.get("field"))) {
                        return m.get("value");
                    }
                }
            }
            return null;
        }

        boolean notrack() {
            return Json.array(json.get("expr")).stream().anyMatch(e -> Json.object(e).containsKey("notrack"));
        }

        /** Whether it skips STUN: {@code @th,96,32 != 0x2112a442}. */
        boolean skipsStun() {
            for (Object e : Json.array(json.get("expr"))) {
                Map<String, Object> ex = Json.object(e);
                if (ex.containsKey("match")) {
                    Map<String, Object> m = Json.object(ex.get("match"));
                    if ("!=".equals(m.get("op")) && Long.valueOf(0x2112A442L).equals(m.get("right"))
                            && m.get("left") instanceof Map<?, ?> left && left.get("payload") instanceof Map<?, ?> p
                            && "th".equals(p.get("base")) && Long.valueOf(96).equals(p.get("offset"))) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
