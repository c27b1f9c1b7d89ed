package org.cunicu4j.daemon.epdisc;

import java.util.Arrays;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.wireguard.Key;

/**
 * The ICE role of a session (cunīcu's rule): the side whose WireGuard public key is the
 * larger, read as a 256-bit big-endian unsigned integer, is CONTROLLED; the smaller is
 * CONTROLLING. Stateless.
 */
public final class Roles {

    private Roles() {}

    /**
     * Our role towards {@code theirs}.
     *
     * @throws IllegalArgumentException when either key is not a public key, or both are equal
     */
    public static IceRole roleOf(Key ours, Key theirs) {
        if (ours.type() != Key.Type.PUBLIC || theirs.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("roles are decided on public keys, got " + ours.type() + " and "
                    + theirs.type());
        }
        int c = Arrays.compareUnsigned(ours.bytes(), theirs.bytes());
        if (c == 0) {
            throw new IllegalArgumentException("our key and the peer's are the same (" + ours + "): no role");
        }
        return c > 0 ? IceRole.CONTROLLED : IceRole.CONTROLLING;
    }
}
