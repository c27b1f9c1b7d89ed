package org.cunicu4j.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cunicu4j.signaling.server.BuildInfos;
import org.cunicu4j.signaling.server.ListenAddress;
import org.cunicu4j.signaling.server.RelaySpec;
import org.cunicu4j.signaling.server.ServerConfig;
import org.cunicu4j.signaling.server.ServerStats;
import org.cunicu4j.signaling.server.SignalingServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j signal}: runs a cunīcu-compatible signaling server (Signaling,
 * RelayRegistry, gRPC health) until SIGTERM or Ctrl-C, then shuts down gracefully. Prints
 * one line when listening ({@code listening on ADDR:PORT ...}) and one when stopped.
 */
@Command(name = "signal", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a signaling server that cunicu4j and cunīcu peers can share.",
            "It relays sealed envelopes by recipient key, learns nothing else, and hands out",
            "TURN REST API credentials for the relays given with --relay."},
        footer = {"", "Relay: turn[s]:host:port[?transport=udp|tcp][&secret=S][&ttl=1h]",
            "Credentials: user \"<expiry>:<base64 public key>\", password base64(HMAC-SHA1(S, user)).",
            "A secret in the URL is visible to every user in `ps`: put it in a file readable only by"
                + " the server (--relay-secret-file) or in the environment variable " + SignalCommand.SECRET_ENV
                + "; it then applies to every --relay without secret= (one in the URL still wins)."})
final class SignalCommand implements Callable<Integer> {

    /** The environment variable holding the TURN REST secret of relays without {@code secret=}. */
    static final String SECRET_ENV = "CUNICU4J_RELAY_SECRET";

    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "[::]:8080",
            description = "Address to listen on: HOST:PORT, [V6]:PORT or :PORT (default: ${DEFAULT-VALUE}).")
    private String listen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain; enables TLS (with --tls-key).")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 private key of --tls-cert.")
    private Path tlsKey;

    @Option(names = "--relay", paramLabel = "URL", description = "A TURN relay to hand out credentials for (repeatable).")
    private List<String> relays = new ArrayList<>();

    @Option(names = "--relay-secret-file", paramLabel = "FILE",
            description = "File holding the TURN REST API secret (surrounding whitespace ignored) for every"
                + " --relay without secret= in its URL; keeps the secret out of `ps`. Default: the"
                + " environment variable " + SECRET_ENV + ", if set.")
    private Path relaySecretFile;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "1024",
            description = "Envelopes each subscriber may have waiting; beyond, its oldest are dropped (default: ${DEFAULT-VALUE}).")
    private int queue;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = config();
        SignalingServer server;
        try {
            server = SignalingServer.start(config);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        // SIGTERM / Ctrl-C: the JVM runs this hook and halts when it returns, so it also says goodbye
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("signal-shutdown").unstarted(() -> {
            server.close();
            stopped(out, server);
        }));
        out.println("listening on " + server.address().getHostString() + ":" + server.port()
                + (config.tlsCert() == null ? " (plaintext)" : " (TLS)")
                + ", " + config.relays().size() + " relay(s), queue " + config.queueCapacity());
        out.flush();
        server.awaitTermination();
        return 0;
    }

    private static void stopped(PrintWriter out, SignalingServer server) {
        ServerStats s = server.stats();
        out.println("stopped: " + s.published() + " published, " + s.delivered() + " delivered, "
                + s.dropped() + " dropped by full queues, " + s.unrouted() + " without subscriber, "
                + s.refused() + " subscribes refused (server full)");
        out.flush();
    }

    private ServerConfig config() {
        ServerConfig config;
        try {
            config = ServerConfig.listen(ListenAddress.parse(listen));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--listen: " + e.getMessage());
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (tlsCert != null) {
            for (Path p : List.of(tlsCert, tlsKey)) {
                if (!Files.isReadable(p)) {
                    throw new ParameterException(spec.commandLine(), "cannot read " + p);
                }
            }
            config = config.withTls(tlsCert, tlsKey);
        }
        String sharedSecret = sharedSecret();
        List<RelaySpec> parsed = new ArrayList<>();
        for (String r : relays) {
            RelaySpec relay;
            try {
                relay = RelaySpec.parse(r);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--relay: " + e.getMessage());
            }
            parsed.add(relay.secret() == null && sharedSecret != null ? relay.withSecret(sharedSecret) : relay);
        }
        if (queue < 1) {
            throw new ParameterException(spec.commandLine(), "--queue must be at least 1, got " + queue);
        }
        return config.withRelays(parsed).withQueueCapacity(queue).withBuildInfo(BuildInfos.of(VersionInfo.version()));
    }

    /** The secret of --relay-secret-file, else of the environment, else null. */
    private String sharedSecret() {
        String secret;
        String from;
        if (relaySecretFile != null) {
            from = "--relay-secret-file " + relaySecretFile;
            try {
                secret = Files.readString(relaySecretFile).strip();
            } catch (java.io.IOException | UncheckedIOException e) {
                throw new ParameterException(spec.commandLine(), "--relay-secret-file: cannot read " + relaySecretFile
                        + ": " + e.getMessage());
            }
        } else {
            from = SECRET_ENV;
            secret = System.getenv(SECRET_ENV);
            if (secret == null) {
                return null;
            }
            secret = secret.strip();
        }
        if (secret.isEmpty()) {
            throw new ParameterException(spec.commandLine(), from + " holds an empty secret");
        }
        return secret;
    }
}
