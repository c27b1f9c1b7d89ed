package org.cunicu4j.signaling.seal;

import com.google.protobuf.ByteString;
import java.util.Objects;
import org.cunicu4j.wireguard.Key;

/**
 * The keys of one signaling conversation, seen from our side: our WireGuard private key and
 * the other side's public key. Sealing uses it as (sender = ours, recipient = theirs); a
 * subscription uses it as (recipient = ours, expected sender = theirs), where an all-zero
 * {@code theirs} is the wildcard that accepts any sender (peer discovery).
 *
 * <p>Immutable and thread-safe. Our public key is derived once, on construction. Equality
 * is by our public key and theirs (never by comparing private keys).
 */
public final class KeyPair {

    private static final Key WILDCARD = Key.of(new byte[Key.LENGTH], Key.Type.PUBLIC);

    private final Key ours;
    private final Key ourPublic;
    private final Key theirs;
    private final ByteString ourPublicBytes;
    private final ByteString theirsBytes;

    private KeyPair(Key ours, Key theirs) {
        if (ours.type() != Key.Type.PRIVATE) {
            throw new IllegalArgumentException("ours must be a private key, got a " + ours.type() + " key");
        }
        if (theirs.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("theirs must be a public key, got a " + theirs.type() + " key");
        }
        this.ours = ours;
        this.ourPublic = ours.publicKey();
        this.theirs = theirs;
        this.ourPublicBytes = ByteString.copyFrom(ourPublic.bytes());
        this.theirsBytes = ByteString.copyFrom(theirs.bytes());
    }

    /** Our private key and the other side's public key. */
    public static KeyPair of(Key ours, Key theirs) {
        return new KeyPair(Objects.requireNonNull(ours, "ours"), Objects.requireNonNull(theirs, "theirs"));
    }

    /** Our private key and the wildcard sender: a subscription that accepts any sender. */
    public static KeyPair wildcard(Key ours) {
        return new KeyPair(Objects.requireNonNull(ours, "ours"), WILDCARD);
    }

    /** The all-zero public key that stands for "any sender" in a subscription. */
    public static Key wildcardKey() {
        return WILDCARD;
    }

    /** Our private key. */
    public Key ours() {
        return ours;
    }

    /** Our public key, derived from {@link #ours()}: the topic we subscribe to. */
    public Key ourPublic() {
        return ourPublic;
    }

    /** The other side's public key, or the all-zero wildcard. */
    public Key theirs() {
        return theirs;
    }

    /** {@link #ourPublic()} as protobuf bytes (no copy). */
    public ByteString ourPublicBytes() {
        return ourPublicBytes;
    }

    /** {@link #theirs()} as protobuf bytes (no copy). */
    public ByteString theirsBytes() {
        return theirsBytes;
    }

    /** Whether {@link #theirs()} is the all-zero wildcard. */
    public boolean isWildcard() {
        return theirs.equals(WILDCARD);
    }

    /** Whether a message from {@code sender} (32 bytes) belongs to this subscription. */
    public boolean acceptsSender(ByteString sender) {
        return isWildcard() ? sender.size() == Key.LENGTH : theirsBytes.equals(sender);
    }

    /** The same private key with another sender; used to open a wildcard subscription's message. */
    public KeyPair withTheirs(Key otherTheirs) {
        return otherTheirs.equals(theirs) ? this : new KeyPair(ours, otherTheirs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyPair other && ourPublic.equals(other.ourPublic) && theirs.equals(other.theirs);
    }

    @Override
    public int hashCode() {
        return 31 * ourPublic.hashCode() + theirs.hashCode();
    }

    @Override
    public String toString() {
        return "KeyPair[ours=" + ourPublic + ", theirs=" + (isWildcard() ? "*" : theirs.toString()) + "]";
    }
}
