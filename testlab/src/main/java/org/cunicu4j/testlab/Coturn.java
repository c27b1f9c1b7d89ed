package org.cunicu4j.testlab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * coturn's {@code turnserver} running in a lab host: STUN and TURN over UDP and TCP, TLS
 * over TCP when {@link Builder#tls asked for} (on {@link #tlsPort()}), no DTLS, no CLI, loopback peers allowed, with long-term credentials (a static user) or
 * the TURN REST API's shared secret. Its log, pid file and SQLite user database are files
 * of its own in the lab's work directory, so servers never share state.
 *
 * <p>{@link #start} returns once every listening address has a bound UDP socket (10 s at
 * most). The lab stops the server by PID on close. Thread-safe.
 */
public final class Coturn implements AutoCloseable {
    /** The standard STUN/TURN port. */
    public static final int DEFAULT_PORT = 3478;
    /** The standard STUN/TURN-over-TLS port. */
    public static final int DEFAULT_TLS_PORT = 5349;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Host host;
    private final List<String> listenIps;
    private final int port;
    private final String realm;
    private final LabProcess process;
    private final Path logFile;
    private final int tlsPort;
    private final Path certFile;

    private Coturn(Host host, List<String> listenIps, int port, String realm, LabProcess process, Path logFile,
            int tlsPort, Path certFile) {
        this.host = host;
        this.listenIps = listenIps;
        this.port = port;
        this.realm = realm;
        this.process = process;
        this.logFile = logFile;
        this.tlsPort = tlsPort;
        this.certFile = certFile;
    }

    /** Starts coturn on {@code listenIp:port} with one long-term user; waits until it listens. */
    public static Coturn start(Host host, String listenIp, int port, String realm, String user, String password) {
        return builder(host).listen(listenIp).port(port).realm(realm).user(user, password).start();
    }

    public static Builder builder(Host host) {
        return new Builder(host);
    }

    public Host host() {
        return host;
    }

    /** The first listening address. */
    public String ip() {
        return listenIps.getFirst();
    }

    public List<String> listenIps() {
        return listenIps;
    }

    public int port() {
        return port;
    }

    public String realm() {
        return realm;
    }

    /** The TLS (over TCP) listening port, or 0 when TLS is off. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The PEM certificate the server presents over TLS (to trust in a client), or null when TLS is off. */
    public Path certFile() {
        return certFile;
    }

    public LabProcess process() {
        return process;
    }

    /** coturn's own log file (its stdout goes to {@code process().logFile()}). */
    public Path logFile() {
        return logFile;
    }

    /** Stops the server by PID. Idempotent; the lab also does it on close. */
    @Override
    public void close() {
        process.close();
    }

    /**
     * The password of a TURN REST API user name for {@code secret}:
     * base64(HMAC-SHA1(secret, username)), as coturn's {@code --use-auth-secret} checks it.
     * The user name is conventionally {@code <unix-expiry>:<user>}.
     */
    public static String restPassword(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this JDK", e);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "coturn " + listenIps + ":" + port + " in " + host;
    }

    /**
     * Options of a coturn server. Listening on two or more addresses also turns on RFC 5780
     * (OTHER-ADDRESS, alternate port {@code port + 1}), which NAT behaviour discovery needs.
     */
    public static final class Builder {
        private final Host host;
        private final List<String> listenIps = new ArrayList<>();
        private final List<String> extraArgs = new ArrayList<>();
        private int port = DEFAULT_PORT;
        private String realm = "lab";
        private String user;
        private String password;
        private String authSecret;
        private Duration startupTimeout = Duration.ofSeconds(10);
        private boolean tls;
        private Path cert;
        private Path key;
        private int tlsPort = DEFAULT_TLS_PORT;

        private Builder(Host host) {
            this.host = host;
        }

        /** Adds a listening (and relay) address; default: the host's first IPv4 address. */
        public Builder listen(String ip) {
            listenIps.add(ip);
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder realm(String realm) {
            this.realm = realm;
            return this;
        }

        /** A static long-term-credential user ({@code --lt-cred-mech --user u:p}). */
        public Builder user(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** TURN REST API mode: {@code --use-auth-secret --static-auth-secret=secret}; see {@link #restPassword}. */
        public Builder staticAuthSecret(String secret) {
            this.authSecret = secret;
            return this;
        }

        /** More turnserver options, passed as given. */
        public Builder extraArgs(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /**
         * Turns on TLS over TCP on {@link #tlsPort(int)} with a self-signed certificate made
         * for the occasion in the lab's work directory ({@code openssl req -x509}, subject
         * {@code CN=coturn.lab}, the listening IPs as subject alternative names); clients
         * trust {@link Coturn#certFile()}.
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** Turns on TLS over TCP with the given PEM certificate and private key. */
        public Builder tls(Path certFile, Path keyFile) {
            this.tls = true;
            this.cert = certFile;
            this.key = keyFile;
            return this;
        }

        /** The TLS listening port (default {@value #DEFAULT_TLS_PORT}); only with {@link #tls()}. */
        public Builder tlsPort(int port) {
            this.tlsPort = port;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Starts the server and waits until it listens on every address. */
        public Coturn start() {
            List<String> ips = listenIps.isEmpty() ? List.of(host.ip()) : List.copyOf(listenIps);
            String base = host.name() + "-turnserver-" + COUNTER.incrementAndGet();
            Path dir = host.lab().workDir();
            Path log = dir.resolve(base + ".log");
            Path certPath = null;
            List<String> tlsArgs = new ArrayList<>(List.of("--no-tls"));
            if (tls) {
                certPath = cert;
                Path keyPath = key;
                if (certPath == null) {
                    certPath = dir.resolve(base + "-cert.pem");
                    keyPath = dir.resolve(base + "-key.pem");
                    selfSigned(ips, certPath, keyPath);
                }
                tlsArgs = List.of("--tls-listening-port=" + tlsPort, "--cert=" + certPath, "--pkey=" + keyPath);
            }
            List<String> cmd = new ArrayList<>(List.of("turnserver", "-n",
                    "--listening-port=" + port, "--realm=" + realm,
                    "--no-dtls", "--no-cli", "--allow-loopback-peers", "--fingerprint",
                    "--log-file=" + log, "--simple-log", "--no-stdout-log",
                    "--pidfile=" + dir.resolve(base + ".pid"),
                    "--userdb=" + dir.resolve(base + ".db")));
            cmd.addAll(tlsArgs);
            for (String ip : ips) {
                cmd.add("--listening-ip=" + ip);
                cmd.add("--relay-ip=" + ip);
            }
            if (authSecret != null) {
                cmd.add("--use-auth-secret");
                cmd.add("--static-auth-secret=" + authSecret);
            } else if (user != null) {
                cmd.add("--lt-cred-mech");
                cmd.add("--user=" + user + ":" + password);
            } else {
                cmd.add("--no-auth");
            }
            cmd.addAll(extraArgs);
            LabProcess p = host.start(cmd.toArray(String[]::new));
            Coturn server = new Coturn(host, ips, port, realm, p, log, tls ? tlsPort : 0, certPath);
            Waiter.until("coturn listens on " + ips + ":" + port + " in " + host, startupTimeout, () -> {
                if (!p.isAlive()) {
                    throw new LabException("turnserver in " + host + " exited:\n" + p.output() + readQuietly(log));
                }
                String bound = host.exec("ss", "-Hlun", "sport = :" + port).stdout();
                String tlsBound = tls ? host.exec("ss", "-Hltn", "sport = :" + tlsPort).stdout() : "";
                return ips.stream().allMatch(ip -> bound.contains(ip + ":" + port)
                        && (!tls || tlsBound.contains(ip + ":" + tlsPort)));
            });
            return server;
        }

        private static void selfSigned(List<String> ips, Path cert, Path key) {
            String san = "subjectAltName=" + String.join(",", ips.stream().map(ip -> "IP:" + ip).toList())
                    + ",DNS:coturn.lab";
            Exec.run(Duration.ofSeconds(20), List.of("openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=coturn.lab", "-addext", san,
                    "-keyout", key.toString(), "-out", cert.toString())).orThrow();
        }
    }
}
