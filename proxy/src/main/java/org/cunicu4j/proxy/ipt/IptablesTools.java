package org.cunicu4j.proxy.ipt;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;

/**
 * Where the iptables tools are: {@code iptables-save} and {@code iptables-restore} (and the
 * {@code ip6tables} pair, optional) of one variant, looked up in a list of directories.
 * Variants are tried in order: the unsuffixed names (what the system's alternatives chose),
 * then {@code -nft}, then {@code -legacy}; the first variant with both IPv4 tools wins. Which
 * backend it drives ({@code nf_tables} or {@code legacy}) is read from {@code --version} by
 * {@link IptablesProxy}. Immutable.
 *
 * @param variant the suffix of the names ({@code ""}, {@code "-nft"} or {@code "-legacy"})
 * @param save4 {@code iptables-save}
 * @param restore4 {@code iptables-restore}
 * @param save6 {@code ip6tables-save}, null when missing (then IPv4 only)
 * @param restore6 {@code ip6tables-restore}, null when missing
 */
public record IptablesTools(String variant, Path save4, Path restore4, Path save6, Path restore6) {
    private static final List<String> VARIANTS = List.of("", "-nft", "-legacy");

    public IptablesTools {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(save4, "save4");
        Objects.requireNonNull(restore4, "restore4");
        if ((save6 == null) != (restore6 == null)) {
            throw new IllegalArgumentException("ip6tables-save and ip6tables-restore go together");
        }
    }

    /** Whether the IPv6 tools are there. */
    public boolean hasIpv6() {
        return save6 != null;
    }

    /** The directories of {@code $PATH}, then {@code /usr/sbin} and {@code /sbin} (often not on a user's path). */
    public static List<Path> defaultSearchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.add(Path.of("/usr/sbin"));
        dirs.add(Path.of("/sbin"));
        dirs.add(Path.of("/usr/bin"));
        return List.copyOf(dirs);
    }

    /** The tools on {@link #defaultSearchPath()}. */
    public static IptablesTools find() throws ProxyUnavailableException {
        return find(defaultSearchPath());
    }

    /**
     * The tools of the first complete variant in {@code dirs}.
     *
     * @throws ProxyUnavailableException naming what is missing and where it was looked for
     */
    public static IptablesTools find(List<Path> dirs) throws ProxyUnavailableException {
        for (String v : VARIANTS) {
            Path save4 = lookup(dirs, "iptables" + v + "-save");
            Path restore4 = lookup(dirs, "iptables" + v + "-restore");
            if (save4 == null || restore4 == null) {
                continue;
            }
            Path save6 = lookup(dirs, "ip6tables" + v + "-save");
            Path restore6 = lookup(dirs, "ip6tables" + v + "-restore");
            if (save6 == null || restore6 == null) {
                save6 = null;
                restore6 = null;
            }
            return new IptablesTools(v, save4, restore4, save6, restore6);
        }
        List<String> shown = new ArrayList<>(dirs.size());
        dirs.forEach(d -> shown.add(d.toString()));
        throw new ProxyUnavailableException(ProxyMode.IPTABLES, "iptables-save and iptables-restore (or their -nft/-legacy variants) not found in "
                + String.join(":", shown) + " (install the iptables package)");
    }

    private static Path lookup(List<Path> dirs, String name) {
        for (Path d : dirs) {
            Path p = d.resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
