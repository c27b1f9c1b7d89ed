package org.cunicu4j.e2e.daemon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;

/**
 * What a port-sharing mode left in one namespace's kernel, read from outside as a user would:
 * the lines of {@code nft list ruleset}, {@code iptables-save} and {@code ip6tables-save}
 * that belong to interface {@code ifname} (they name it, case-insensitively: the modes name
 * their tables, chains and rule comments after the interface; nft rules inside such a table
 * belong to it too),
 * and the raw UDP sockets open there ({@code /proc/net/raw} and {@code raw6}: the raw mode's).
 * A snapshot; immutable.
 *
 * @param nft the {@code nft list ruleset} lines that belong to the interface, with the line of
 *     the table they are in (also of a table not its own, such as iptables-nft's {@code table ip nat})
 * @param iptables the {@code iptables-save} and {@code ip6tables-save} lines that belong to it, each as
 *     {@code "TOOL *TABLE | LINE"} (no comments, no counters)
 * @param rawUdpSockets the number of raw sockets bound to protocol UDP (17)
 */
public record KernelState(List<String> nft, List<String> iptables, int rawUdpSockets) {
    /** The tag every mode puts on what it installs. */
    public static final String TAG = "cunicu4j";

    public KernelState {
        nft = List.copyOf(nft);
        iptables = List.copyOf(iptables);
    }

    /** Reads the state of {@code host}'s namespace for {@code ifname}. */
    public static KernelState read(Host host, String ifname) {
        List<String> nft = belonging(run(host, "nft", "list", "ruleset"), ifname);
        List<String> ipt = new ArrayList<>();
        for (String tool : List.of("iptables-save", "ip6tables-save")) {
            String table = "";
            for (String line : run(host, tool).split("\n")) {
                if (line.startsWith("*")) {
                    table = line;
                } else if (!line.startsWith("#") && line.toLowerCase(Locale.ROOT).contains(ifname.toLowerCase(Locale.ROOT))) {
                    // chain counters change between reads; the same rule for IPv4 and IPv6 is no duplicate
                    ipt.add(tool + " " + table + " | " + line.replaceFirst(" \\[\\d+:\\d+\\]$", ""));
                }
            }
        }
        int raw = 0;
        for (String file : List.of("/proc/net/raw", "/proc/net/raw6")) {
            raw += rawUdp(run(host, "cat", file));
        }
        return new KernelState(nft, ipt, raw);
    }

    /** True when no rule of the interface is left (raw sockets aside: they close with the process). */
    public boolean noRules() {
        return nft.isEmpty() && iptables.isEmpty();
    }

    /** The nft tables of the interface's own ({@code table inet cunicu4j-IFNAME} lines). */
    public List<String> nftTables() {
        return nft.stream().filter(l -> l.startsWith("table ") && l.contains(TAG)).toList();
    }

    /** The iptables chains the interface declared ({@code :NAME - } lines, as {@code "TOOL *TABLE | :NAME -"}). */
    public List<String> iptablesChains() {
        return iptables.stream().filter(l -> l.contains(" | :")).toList();
    }

    /** The iptables rules of the interface ({@code -A CHAIN ...} lines). */
    public List<String> iptablesRules() {
        return iptables.stream().filter(l -> l.contains(" | -A ")).toList();
    }

    /** Lines present more than once: an nft table or rule, an iptables chain or rule installed twice. */
    public List<String> duplicates() {
        List<String> out = new ArrayList<>();
        for (List<String> lines : List.of(nftRulesAndTables(), iptables)) {
            Map<String, Integer> count = new HashMap<>();
            for (String l : lines) {
                if (count.merge(l, 1, Integer::sum) == 2) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    /**
     * nft lines that identify something on their own: tables, and chains and rules prefixed
     * with their table and chain (the same rule in two chains is no duplicate); handles dropped.
     */
    private List<String> nftRulesAndTables() {
        List<String> out = new ArrayList<>();
        String table = "";
        String chain = "";
        for (String l : nft) {
            String line = l.replaceFirst(" # handle \\d+$", "");
            if (line.startsWith("table ")) {
                table = line.replaceFirst(" \\{ # handle \\d+$", " {");
                line = table;
                chain = "";
                out.add(line);
            } else if (line.startsWith("chain ") || line.startsWith("set ") || line.startsWith("map ")) {
                chain = line;
                out.add(table + " / " + line);
            } else if (!line.equals("}") && !line.startsWith("type ") && !line.startsWith("policy ")) {
                out.add(table + " / " + chain + " / " + line);
            }
        }
        return out;
    }

    private static String run(Host host, String... command) {
        Exec.Result r = host.exec(command);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", command) + " in " + host.netns() + " failed: exit " + r.exitCode()
                    + ": " + r.stderr().strip());
        }
        return r.stdout();
    }

    /**
     * The lines of nft's listing {@code text} that belong to {@code ifname}: a table whose
     * line names it, followed to its closing brace; elsewhere, single
     * lines that name it, after the line of the table they are in.
     */
    static List<String> belonging(String text, String ifname) {
        String name = ifname.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean inOurs = false;
        String header = null; // the enclosing table's line, until written
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String lower = line.toLowerCase(Locale.ROOT);
            boolean ours = lower.contains(name);
            if (depth == 0) {
                inOurs = ours; // a table is ours when its own line says so
                header = ours ? null : line;
            }
            if (inOurs || ours) {
                if (header != null) {
                    // our chains in another's table (iptables-nft's "table ip nat"): keep the table as context
                    out.add(header);
                    header = null;
                }
                out.add(line);
            }
            depth += count(line, '{') - count(line, '}');
            if (depth < 0) {
                depth = 0;
            }
        }
        return out;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }

    /** Sockets in a {@code /proc/net/raw} listing whose local "port" (the protocol for raw sockets) is 17. */
    static int rawUdp(String procNetRaw) {
        int n = 0;
        String[] lines = procNetRaw.split("\n");
        for (int i = 1; i < lines.length; i++) { // a header line first
            String[] f = lines[i].strip().split("\\s+");
            if (f.length > 1) {
                String local = f[1];
                int colon = local.lastIndexOf(':');
                if (colon > 0 && Integer.parseInt(local.substring(colon + 1), 16) == 17) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "nft:\n  " + String.join("\n  ", nft) + "\niptables:\n  " + String.join("\n  ", iptables)
                + "\nraw UDP sockets: " + rawUdpSockets;
    }
}
