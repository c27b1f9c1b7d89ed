package org.cunicu4j.wireguard.noise;

import static org.cunicu4j.wireguard.noise.Messages.*;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.crypto.Blake2s;
import org.cunicu4j.wireguard.crypto.ChaChaPoly;
import org.cunicu4j.wireguard.crypto.Tai64n;
import org.cunicu4j.wireguard.crypto.X25519;

/**
 * The Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s handshake with one peer (whitepaper §5.4):
 * creating and consuming initiations and responses, and deriving the {@link Keypair} when
 * it completes. Message bytes up to the MACs are written here; {@link CookieGenerator}
 * adds MAC1/MAC2.
 *
 * <p>Thread-safe: every operation holds this object's lock.
 */
public final class Handshake {

    /** Where the handshake is. */
    public enum State { ZEROED, INITIATION_CREATED, INITIATION_CONSUMED, RESPONSE_CREATED, RESPONSE_CONSUMED }

    private static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(CONSTRUCTION.getBytes(StandardCharsets.US_ASCII));
    private static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, IDENTIFIER.getBytes(StandardCharsets.US_ASCII));
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] ZERO_KEY = new byte[32];
    /** wireguard-go drops the low 24 bits of the nanoseconds so timestamps do not leak fine timing. */
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private final byte[] remoteStatic;
    private StaticIdentity identity;
    private byte[] precomputedStaticStatic;
    private byte[] presharedKey = ZERO_KEY;

    private State state = State.ZEROED;
    private byte[] hash;
    private byte[] chainKey;
    private byte[] localEphemeral;
    private byte[] remoteEphemeral;
    private int localIndex;
    private int remoteIndex;
    private byte[] lastTimestamp = new byte[Tai64n.LENGTH];
    private long lastInitiationConsumption = Long.MIN_VALUE;

    public Handshake(Key remoteStatic) {
        this.remoteStatic = remoteStatic.bytes();
    }

    /** Sets (or with null clears) the local identity; recomputes the static-static secret. */
    public synchronized void setIdentity(StaticIdentity identity) {
        this.identity = identity;
        this.precomputedStaticStatic = identity == null ? null : X25519.sharedSecret(identity.privateKey, remoteStatic);
        clear();
    }

    /** Sets the preshared key (null: none, i.e. 32 zero bytes). */
    public synchronized void setPresharedKey(byte[] psk) {
        this.presharedKey = psk == null ? ZERO_KEY : psk.clone();
    }

    public synchronized boolean hasPresharedKey() {
        return !Arrays.equals(presharedKey, ZERO_KEY);
    }

    public synchronized State state() {
        return state;
    }

    public synchronized int localIndex() {
        return localIndex;
    }

    /** Forgets the ephemeral state (not the timestamp replay protection). */
    public synchronized void clear() {
        state = State.ZEROED;
        wipe(hash);
        wipe(chainKey);
        wipe(localEphemeral);
        hash = null;
        chainKey = null;
        localEphemeral = null;
        remoteEphemeral = null;
        localIndex = 0;
        remoteIndex = 0;
    }

    private static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }

    private static byte[] mix(byte[] hash, byte[] data) {
        return Blake2s.hash(hash, data);
    }

    /**
     * Writes an initiation (MACs left zero) into {@code out[0..148)}.
     *
     * @return false when there is no identity or the peer's key is a low-order point
     */
    public synchronized boolean createInitiation(byte[] out, int senderIndex, Instant now) {
        if (identity == null || precomputedStaticStatic == null) {
            return false;
        }
        byte[] h = mix(INITIAL_HASH, remoteStatic);
        byte[] ck = INITIAL_CHAIN_KEY;
        Key eph = Key.generatePrivate();
        byte[] ephPriv = eph.bytes();
        byte[] ephPub = eph.publicKey().bytes();
        ck = Blake2s.kdf(1, ck, ephPub)[0];
        h = mix(h, ephPub);
        byte[] es = X25519.sharedSecret(ephPriv, remoteStatic);
        if (es == null) {
            return false;
        }
        byte[][] t = Blake2s.kdf(2, ck, es);
        ck = t[0];
        byte[] encStatic = ChaChaPoly.seal(t[1], 0, identity.publicKey, h);
        h = mix(h, encStatic);
        t = Blake2s.kdf(2, ck, precomputedStaticStatic);
        ck = t[0];
        byte[] ts = Tai64n.of(Instant.ofEpochSecond(now.getEpochSecond(), now.getNano() & ~WHITENER_MASK));
        byte[] encTs = ChaChaPoly.seal(t[1], 0, ts, h);
        h = mix(h, encTs);

        Arrays.fill(out, 0, INITIATION_SIZE, (byte) 0);
        out[0] = TYPE_INITIATION;
        putIntLE(out, INIT_SENDER, senderIndex);
        System.arraycopy(ephPub, 0, out, INIT_EPHEMERAL, 32);
        System.arraycopy(encStatic, 0, out, INIT_STATIC, 48);
        System.arraycopy(encTs, 0, out, INIT_TIMESTAMP, 28);

        clear();
        hash = h;
        chainKey = ck;
        localEphemeral = ephPriv;
        localIndex = senderIndex;
        state = State.INITIATION_CREATED;
        return true;
    }

    /** The first half of consuming an initiation: what the responder learns before it knows the peer. */
    public record InitiationStart(byte[] peerStatic, byte[] hash, byte[] chainKey, byte[] ephemeral, int senderIndex) {}

    /**
     * Decrypts the initiator's static key from an initiation (MACs already checked).
     *
     * @return null when it does not decrypt
     */
    public static InitiationStart startConsumingInitiation(StaticIdentity identity, byte[] msg) {
        byte[] h = mix(INITIAL_HASH, identity.publicKey);
        byte[] e = Arrays.copyOfRange(msg, INIT_EPHEMERAL, INIT_EPHEMERAL + 32);
        byte[] ck = Blake2s.kdf(1, INITIAL_CHAIN_KEY, e)[0];
        h = mix(h, e);
        byte[] es = X25519.sharedSecret(identity.privateKey, e);
        if (es == null) {
            return null;
        }
        byte[][] t = Blake2s.kdf(2, ck, es);
        ck = t[0];
        byte[] encStatic = Arrays.copyOfRange(msg, INIT_STATIC, INIT_STATIC + 48);
        byte[] peer = ChaChaPoly.open(t[1], 0, encStatic, h);
        if (peer == null) {
            return null;
        }
        h = mix(h, encStatic);
        return new InitiationStart(peer, h, ck, e, getIntLE(msg, INIT_SENDER));
    }

    /** Why {@link #finishConsumingInitiation} refused. */
    public enum Refusal { NONE, NO_IDENTITY, BAD_TIMESTAMP_SEAL, REPLAYED_TIMESTAMP, FLOOD }

    /**
     * The second half: with this peer's static-static secret, decrypts the timestamp, checks
     * it is newer than the last one and that initiations do not come faster than
     * {@code minInterval} nanoseconds, and on success moves to INITIATION_CONSUMED.
     */
    public synchronized Refusal finishConsumingInitiation(InitiationStart start, byte[] msg, long nowNanos, long minIntervalNanos) {
        if (identity == null || precomputedStaticStatic == null) {
            return Refusal.NO_IDENTITY;
        }
        byte[][] t = Blake2s.kdf(2, start.chainKey, precomputedStaticStatic);
        byte[] encTs = Arrays.copyOfRange(msg, INIT_TIMESTAMP, INIT_TIMESTAMP + 28);
        byte[] ts = ChaChaPoly.open(t[1], 0, encTs, start.hash);
        if (ts == null) {
            return Refusal.BAD_TIMESTAMP_SEAL;
        }
        if (!Tai64n.after(ts, lastTimestamp)) {
            return Refusal.REPLAYED_TIMESTAMP;
        }
        if (lastInitiationConsumption != Long.MIN_VALUE && nowNanos - lastInitiationConsumption < minIntervalNanos) {
            return Refusal.FLOOD;
        }
        byte[] h = mix(start.hash, encTs);
        clear();
        hash = h;
        chainKey = t[0];
        remoteEphemeral = start.ephemeral;
        remoteIndex = start.senderIndex;
        lastTimestamp = ts;
        lastInitiationConsumption = nowNanos;
        state = State.INITIATION_CONSUMED;
        return Refusal.NONE;
    }

    /**
     * Writes a response to the consumed initiation (MACs left zero) into {@code out[0..92)}.
     *
     * @return false when no initiation was consumed
     */
    public synchronized boolean createResponse(byte[] out, int senderIndex) {
        if (state != State.INITIATION_CONSUMED) {
            return false;
        }
        Key eph = Key.generatePrivate();
        byte[] ephPriv = eph.bytes();
        byte[] ephPub = eph.publicKey().bytes();
        byte[] ck = Blake2s.kdf(1, chainKey, ephPub)[0];
        byte[] h = mix(hash, ephPub);
        byte[] ee = X25519.sharedSecret(ephPriv, remoteEphemeral);
        byte[] se = X25519.sharedSecret(ephPriv, remoteStatic);
        if (ee == null || se == null) {
            return false;
        }
        ck = Blake2s.kdf(1, ck, ee)[0];
        ck = Blake2s.kdf(1, ck, se)[0];
        byte[][] t = Blake2s.kdf(3, ck, presharedKey);
        ck = t[0];
        h = mix(h, t[1]);
        byte[] empty = ChaChaPoly.seal(t[2], 0, EMPTY, h);
        h = mix(h, empty);

        Arrays.fill(out, 0, RESPONSE_SIZE, (byte) 0);
        out[0] = TYPE_RESPONSE;
        putIntLE(out, RESP_SENDER, senderIndex);
        putIntLE(out, RESP_RECEIVER, remoteIndex);
        System.arraycopy(ephPub, 0, out, RESP_EPHEMERAL, 32);
        System.arraycopy(empty, 0, out, RESP_EMPTY, 16);
        wipe(ephPriv);
        hash = h;
        chainKey = ck;
        localIndex = senderIndex;
        state = State.RESPONSE_CREATED;
        return true;
    }

    /**
     * Consumes a response to this handshake's initiation (MACs already checked).
     *
     * @return false when it does not belong to the pending initiation or does not authenticate
     */
    public synchronized boolean consumeResponse(byte[] msg) {
        if (state != State.INITIATION_CREATED || identity == null || getIntLE(msg, RESP_RECEIVER) != localIndex) {
            return false;
        }
        byte[] e = Arrays.copyOfRange(msg, RESP_EPHEMERAL, RESP_EPHEMERAL + 32);
        byte[] ck = Blake2s.kdf(1, chainKey, e)[0];
        byte[] h = mix(hash, e);
        byte[] ee = X25519.sharedSecret(localEphemeral, e);
        byte[] se = X25519.sharedSecret(identity.privateKey, e);
        if (ee == null || se == null) {
            return false;
        }
        ck = Blake2s.kdf(1, ck, ee)[0];
        ck = Blake2s.kdf(1, ck, se)[0];
        byte[][] t = Blake2s.kdf(3, ck, presharedKey);
        ck = t[0];
        h = mix(h, t[1]);
        byte[] empty = Arrays.copyOfRange(msg, RESP_EMPTY, RESP_EMPTY + 16);
        if (ChaChaPoly.open(t[2], 0, empty, h) == null) {
            return false;
        }
        h = mix(h, empty);
        hash = h;
        chainKey = ck;
        remoteIndex = getIntLE(msg, RESP_SENDER);
        state = State.RESPONSE_CONSUMED;
        return true;
    }

    /**
     * Derives the transport keypair of a completed handshake (initiator after consuming the
     * response, responder after creating it) and zeroes the handshake state.
     *
     * @return null when the handshake is not complete
     */
    public synchronized Keypair deriveKeypair(long nowNanos) {
        boolean initiator;
        if (state == State.RESPONSE_CONSUMED) {
            initiator = true;
        } else if (state == State.RESPONSE_CREATED) {
            initiator = false;
        } else {
            return null;
        }
        byte[][] t = Blake2s.kdf(2, chainKey, EMPTY);
        byte[] send = initiator ? t[0] : t[1];
        byte[] recv = initiator ? t[1] : t[0];
        Keypair kp = new Keypair(ChaChaPoly.key(send), ChaChaPoly.key(recv), initiator, nowNanos, localIndex, remoteIndex);
        wipe(t[0]);
        wipe(t[1]);
        int li = localIndex;
        clear();
        localIndex = li; // the caller still needs to move the index from the handshake to the keypair
        return kp;
    }

    /** The receiver index a cookie reply to our message must carry: our sender index. */
    public synchronized boolean awaitsReplyTo(int index) {
        return state == State.INITIATION_CREATED && localIndex == index;
    }
}
