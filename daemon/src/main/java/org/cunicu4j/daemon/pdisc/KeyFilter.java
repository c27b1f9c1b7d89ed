package org.cunicu4j.daemon.pdisc;

import java.util.Objects;
import java.util.Set;
import org.cunicu4j.wireguard.Key;

/**
 * Which discovered keys may become peers: a blacklisted key never; when the whitelist is not
 * empty, only a whitelisted key; otherwise any key. (cunīcu documents "if not configured, all
 * peers will be accepted" for its whitelist; a configured one is honoured here.)
 *
 * <p>Immutable and thread-safe.
 */
public record KeyFilter(Set<Key> whitelist, Set<Key> blacklist) {

    /** Accepts every key. */
    public static final KeyFilter ALL = new KeyFilter(Set.of(), Set.of());

    public KeyFilter {
        whitelist = Set.copyOf(Objects.requireNonNull(whitelist, "whitelist"));
        blacklist = Set.copyOf(Objects.requireNonNull(blacklist, "blacklist"));
        for (Key k : whitelist) {
            requirePublic(k, "whitelist");
        }
        for (Key k : blacklist) {
            requirePublic(k, "blacklist");
        }
    }

    private static void requirePublic(Key k, String list) {
        if (k.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException(list + " holds a " + k.type() + " key; it lists public keys");
        }
    }

    /** Whether {@code key} may be added as a peer. */
    public boolean accepts(Key key) {
        if (blacklist.contains(key)) {
            return false;
        }
        return whitelist.isEmpty() || whitelist.contains(key);
    }
}
