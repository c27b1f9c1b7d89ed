package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.cunicu4j.stun.ErrorCode;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.PasswordAlgorithm;
import org.cunicu4j.stun.StringPrep;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMessageBuilder;
import org.cunicu4j.stun.TransactionId;
import org.cunicu4j.stun.client.StunResponseException;
import org.cunicu4j.stun.client.StunTimeoutException;
import org.cunicu4j.stun.client.StunTransport;

/**
 * The requests of one allocation with long-term credentials (RFC 8489 section 9.2): the
 * first goes without, the server's 401 challenge gives realm and nonce, and from then on
 * every request carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY; a 438 Stale Nonce is
 * answered by retrying with the new nonce. Failures become {@link TurnException}s phrased
 * for the user (a wrong password: "rejected the credentials for user X at realm Y").
 *
 * <p>The transactions themselves (retransmissions over UDP, the single wait on a stream,
 * matching responses) are the client layer's: requests go through a {@link StunTransport},
 * and its failures are translated here ({@link StunTimeoutException} to a TIMEOUT naming
 * the request, the transport's close to the allocation's reason).
 *
 * <p>Thread-safe: the credential state is guarded by this object; requests may start on
 * any thread, and their futures complete on the reader or the scheduler thread (never
 * block in their callbacks).
 */
final class AuthenticatedRequests {
    private static final System.Logger LOG = System.getLogger(AuthenticatedRequests.class.getName());
    /** Challenges (401, 438) followed per request before giving up. */
    static final int MAX_AUTH_RETRIES = 3;

    private final TurnConfig config;
    private final Supplier<StunTransport> transport;
    private final String serverName;
    private volatile IOException closed;
    private final AtomicLong staleNonces = new AtomicLong();
    private volatile Duration firstRtt;

    // guarded by this
    private String realm;
    private String nonce;
    private byte[] key;
    /** The server's PASSWORD-ALGORITHMS, echoed in every request; null when it offered none. */
    private List<PasswordAlgorithm> offeredAlgorithms;
    /** The algorithm chosen from them (SHA-256 if offered), null for RFC 5389 style MD5. */
    private PasswordAlgorithm algorithm;

    /** @param transport the allocation's transport to the server (set before the first request) */
    AuthenticatedRequests(TurnConfig config, Supplier<StunTransport> transport, String serverName) {
        this.config = config;
        this.transport = transport;
        this.serverName = serverName;
    }

    /** From now on, requests that fail because the transport closes fail with {@code cause}. */
    void closing(IOException cause) {
        if (closed == null) {
            closed = cause;
        }
    }

    /**
     * Sends a request of {@code type} with the attributes {@code attributes} adds (called
     * again for each retry), following 401 and 438 challenges.
     */
    CompletableFuture<StunMessage> send(MessageType type, Consumer<StunMessageBuilder> attributes) {
        return attempt(type, attributes, 0);
    }

    private CompletableFuture<StunMessage> attempt(MessageType type, Consumer<StunMessageBuilder> attributes,
            int retries) {
        TransactionId tid = TransactionId.random();
        StunMessageBuilder b = StunMessage.builder(type, tid);
        attributes.accept(b);
        byte[] usedKey;
        String usedRealm;
        synchronized (this) {
            usedKey = key;
            usedRealm = realm;
            if (key != null) {
                b.username(preparedUsername()).realm(realm).nonce(nonce);
                if (algorithm != null) {
                    b.passwordAlgorithms(offeredAlgorithms).passwordAlgorithm(algorithm);
                }
                if (PasswordAlgorithm.SHA256.equals(algorithm)) {
                    b.messageIntegritySha256(key);
                } else {
                    b.messageIntegrity(key);
                }
            }
        }
        byte[] bytes = b.fingerprint().build();
        CompletableFuture<StunMessage> sent;
        try {
            sent = transport.get().request(bytes, usedKey == null ? null : r -> authentic(r, usedKey))
                    .thenApply(r -> {
                        if (firstRtt == null) {
                            firstRtt = r.rtt();
                        }
                        return r.message();
                    });
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, type))).thenCompose(response -> {
            if (response.messageClass() == StunClass.SUCCESS_RESPONSE) {
                return CompletableFuture.completedFuture(response);
            }
            ErrorCode error = response.errorCode().orElse(new ErrorCode(ErrorCode.SERVER_ERROR, "no ERROR-CODE"));
            int code = error.code();
            boolean challenge = code == ErrorCode.UNAUTHORIZED && usedKey == null;
            boolean stale = code == ErrorCode.STALE_NONCE;
            if (challenge && (response.realm().isEmpty() || response.nonce().isEmpty())) {
                return failed(TurnException.Kind.PROTOCOL, code, "TURN server " + serverName + " answered the "
                        + type + " with " + error + " but without the REALM and NONCE of a long-term credential "
                        + "challenge");
            }
            if (challenge && config.username().isEmpty()) {
                return failed(TurnException.Kind.UNAUTHORIZED, code, "TURN server " + serverName
                        + " asks for long-term credentials (realm \"" + response.realm().get()
                        + "\") but no user name and password were given");
            }
            if ((challenge || stale) && retries < MAX_AUTH_RETRIES && response.nonce().isPresent()) {
                synchronized (this) {
                    PasswordAlgorithm chosen = algorithm;
                    List<PasswordAlgorithm> offered = offeredAlgorithms;
                    if (passwordAlgorithmsBit(response.nonce().get()) && !response.passwordAlgorithms().isEmpty()) {
                        offered = response.passwordAlgorithms();
                        chosen = offered.contains(PasswordAlgorithm.SHA256) ? PasswordAlgorithm.SHA256
                                : offered.contains(PasswordAlgorithm.MD5) ? PasswordAlgorithm.MD5 : null;
                        if (chosen == null) {
                            return failed(TurnException.Kind.PROTOCOL, code, "TURN server " + serverName
                                    + " offers only password algorithms we do not know: " + offered);
                        }
                    }
                    boolean newAlgorithm = !java.util.Objects.equals(chosen, algorithm);
                    if (response.realm().isPresent() && (newAlgorithm || !response.realm().get().equals(realm))) {
                        String newRealm = response.realm().get();
                        try {
                            StringPrep.opaqueString(newRealm);
                        } catch (IllegalArgumentException e) {
                            return failed(TurnException.Kind.PROTOCOL, code, "TURN server " + serverName
                                    + " sent a realm \"" + printable(newRealm) + "\" that is not a valid OpaqueString ("
                                    + e.getMessage() + ")");
                        }
                        byte[] newKey;
                        try {
                            newKey = StunCredentials.longTermKey(config.username(), newRealm, config.password(),
                                    chosen == null ? PasswordAlgorithm.MD5 : chosen);
                        } catch (IllegalArgumentException e) {
                            return failed(TurnException.Kind.UNAUTHORIZED, code, "the credentials for user \""
                                    + printable(config.username()) + "\" cannot be used with STUN: "
                                    + "the user name or password is not a valid OpaqueString (" + e.getMessage() + ")");
                        }
                        realm = newRealm;
                        key = newKey;
                        algorithm = chosen;
                        offeredAlgorithms = offered;
                    }
                    nonce = response.nonce().get();
                }
                if (stale) {
                    staleNonces.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, "stale nonce from {0}, retrying the {1}", serverName, type);
                }
                return attempt(type, attributes, retries + 1);
            }
            if (code == ErrorCode.UNAUTHORIZED) {
                return failed(TurnException.Kind.UNAUTHORIZED, code, "TURN server " + serverName
                        + " rejected the credentials for user \"" + config.username() + "\" at realm \"" + usedRealm
                        + "\" (" + error + ")");
            }
            String hint = code == ErrorCode.TRY_ALTERNATE && response.alternateServer().isPresent()
                    ? "; it suggests " + response.alternateServer().get() : "";
            return failed(TurnException.Kind.REFUSED, code, "TURN server " + serverName + " refused the " + type
                    + ": " + error + hint);
        });
    }

    /**
     * Whether a response to a request sent with {@code key} may complete it (RFC 8489
     * section 9.2.5): a MESSAGE-INTEGRITY present must verify, and a success response must
     * carry one. Anything else is discarded as if never received (a forgery, or garbage):
     * the transaction keeps waiting for the real answer. Error responses without
     * MESSAGE-INTEGRITY (401, 438 challenges) are accepted.
     */
    static boolean authentic(StunMessage response, byte[] key) {
        if (response.hasMessageIntegrity() || response.hasMessageIntegritySha256()) {
            boolean ok = response.verifyIntegrity(key);
            if (!ok) {
                LOG.log(System.Logger.Level.DEBUG, "discarding a {0} whose MESSAGE-INTEGRITY does not verify",
                        response.type());
            }
            return ok;
        }
        return response.messageClass() != StunClass.SUCCESS_RESPONSE;
    }

    /**
     * Whether {@code nonce} starts with RFC 8489's nonce cookie "obMatJos2" and its security
     * feature set (4 base64 characters, 24 bits) has the password algorithms bit (the first).
     */
    static boolean passwordAlgorithmsBit(String nonce) {
        if (!nonce.startsWith("obMatJos2") || nonce.length() < 13) {
            return false;
        }
        try {
            byte[] features = java.util.Base64.getDecoder().decode(nonce.substring(9, 13));
            return features.length > 0 && (features[0] & 0x80) != 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The user name as sent in USERNAME: OpaqueString-prepared, as the key is (RFC 8489 section 9.2.2). */
    private String preparedUsername() {
        try {
            return StringPrep.opaqueString(config.username());
        } catch (IllegalArgumentException e) {
            return config.username(); // the key derivation has refused it already
        }
    }

    /** {@code s} with control characters shown as U+XXXX, for messages. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                sb.append(String.format(Locale.ROOT, "\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    /** The user-facing form of a transaction's failure. */
    private Throwable translate(Throwable e, MessageType type) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        IOException cause = closed;
        if (cause != null) {
            return cause;
        }
        if (e instanceof StunTimeoutException t) {
            int n = Math.max(1, t.requests());
            return new TurnException(TurnException.Kind.TIMEOUT, 0, "TURN server " + serverName + " did not answer the "
                    + type + " within " + formatSeconds(t.waited().toNanos() / 1e9) + " (" + n
                    + (n == 1 ? " transmission" : " transmissions") + ")");
        }
        if (e instanceof StunResponseException) {
            return new TurnException(TurnException.Kind.PROTOCOL, "TURN server " + serverName + " answered the " + type
                    + " with a response we cannot accept: " + e.getMessage(), e);
        }
        if (e instanceof IOException) {
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new TurnException(TurnException.Kind.CLOSED, "the " + type + " to TURN server " + serverName
                    + " failed: " + why, e);
        }
        return e;
    }

    static String formatSeconds(double s) {
        return s == Math.rint(s) ? (long) s + " s" : String.format(Locale.ROOT, "%.1f s", s);
    }

    private static CompletableFuture<StunMessage> failed(TurnException.Kind kind, int code, String message) {
        return CompletableFuture.failedFuture(new TurnException(kind, code, message));
    }

    /**
     * Waits for {@code f} (a request of this object, retries included) and rethrows its
     * failure with the caller's stack.
     */
    <T> T await(CompletableFuture<T> f) throws IOException {
        try {
            return f.get(config.requestTimeout().toNanos() * (MAX_AUTH_RETRIES + 1) + 1_000_000_000L,
                    TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TurnException t) {
                throw new TurnException(t.kind(), t.errorCode(), t.getMessage());
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("TURN request to " + serverName + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new TurnException(TurnException.Kind.TIMEOUT, 0, "TURN server " + serverName + " did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for TURN server " + serverName);
        }
    }

    /** The realm of the server's challenge, null before it. */
    synchronized String realm() {
        return realm;
    }

    /** 438 answers recovered from. */
    long staleNonces() {
        return staleNonces.get();
    }

    /** The first response's round trip (the Allocate's challenge), from its last transmission; null before. */
    Duration firstRtt() {
        return firstRtt;
    }
}
