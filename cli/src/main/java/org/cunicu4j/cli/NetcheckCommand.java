package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.cunicu4j.stun.client.TlsTrust;
import org.cunicu4j.stun.url.ServerUrl;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j netcheck}: checks STUN and TURN servers (reachability, RTT, mapped
 * address, TURN allocation and relayed address) and the NAT's mapping and filtering
 * behaviour. Prints an aligned table, or JSON with {@code --json}. Exit code 0 when every
 * server is reachable and every attempted allocation succeeds, 1 otherwise, 2 on usage
 * errors (a bad URL, no servers at all).
 */
@Command(name = "netcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check STUN and TURN servers and the NAT in front of this host.",
            "For each server: reachable or not and why, round-trip time, the address it sees;",
            "for TURN servers with credentials: whether an allocation succeeds and its relayed address;",
            "then the NAT's mapping and filtering behaviour (RFC 5780, if a server supports it)."},
        footer = {"", "URLs: stun:host[:port]  stuns:host[:port]",
            "      turn:user:pass@host[:port][?transport=udp|tcp]  turns:user:pass@host[:port]",
            "There are no built-in servers."})
final class NetcheckCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");

    @Spec
    private CommandSpec spec;

    @Option(names = "--stun", paramLabel = "URL", description = "A STUN server (repeatable).")
    private List<String> stun = new ArrayList<>();

    @Option(names = "--turn", paramLabel = "URL", description = "A TURN server (repeatable).")
    private List<String> turn = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "5s",
            description = "How long each request may take, e.g. 500ms, 3s, 1m (default: ${DEFAULT-VALUE}).")
    private String timeout;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Trust the certificates in this PEM file for stuns:/turns: servers (default: the JDK's).")
    private Path tlsCa;

    @Override
    public Integer call() throws IOException {
        List<ServerUrl> urls = new ArrayList<>();
        for (String s : stun) {
            urls.add(parse(s, "--stun", true));
        }
        for (String s : turn) {
            urls.add(parse(s, "--turn", false));
        }
        if (urls.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no servers to check: give --stun URL and/or --turn URL "
                    + "(netcheck has no built-in public servers)");
        }
        Duration limit = parseDuration(timeout);
        SSLContext ctx;
        try {
            ctx = tlsCa == null ? TlsTrust.systemDefault() : TlsTrust.trusting(tlsCa);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--tls-ca: " + e.getMessage());
        }
        NetcheckReport report = new Netcheck(limit, ctx).run(urls);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json() : report.table());
        out.flush();
        return report.ok() ? 0 : 1;
    }

    private ServerUrl parse(String text, String option, boolean stunOption) {
        ServerUrl url;
        try {
            url = ServerUrl.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
        if (stunOption && !(url instanceof StunUrl)) {
            throw new ParameterException(spec.commandLine(),
                    "--stun takes stun: or stuns: URLs; use --turn for " + url);
        }
        if (!stunOption && !(url instanceof TurnUrl)) {
            throw new ParameterException(spec.commandLine(),
                    "--turn takes turn: or turns: URLs; use --stun for " + url);
        }
        return url;
    }

    private Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> n;
                case "s" -> n * 1000;
                default -> n * 60_000;
            };
            if (millis >= 1 && millis <= 3_600_000) {
                return Duration.ofMillis(Math.round(millis));
            }
        }
        throw new ParameterException(spec.commandLine(),
                "--timeout: expected a duration from 1ms to 60m such as 500ms, 3s or 1m, got \"" + text + "\"");
    }
}
