package org.cunicu4j.signaling.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One relay of {@code --relay}: a TURN URL as clients see it plus the shared secret of the
 * TURN REST API and the credentials' lifetime, parsed from
 * {@code turn[s]:host:port[?transport=udp|tcp][&secret=S][&ttl=1h]}. {@code secret} and
 * {@code ttl} are taken out of the URL handed to clients; other parameters stay. Immutable.
 *
 * @param url the URL the relay registry hands out, without secret and ttl
 * @param secret the TURN REST API shared secret, or null for a relay without credentials
 * @param ttl how long issued credentials are valid
 */
public record RelaySpec(String url, String secret, Duration ttl) {

    /** Credentials' lifetime when the URL does not say: one hour. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);

    /** The longest credentials' lifetime accepted: 30 days (expiry times stay well within range). */
    public static final Duration MAX_TTL = Duration.ofDays(30);

    public RelaySpec {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("relay ttl must be positive: " + ttl);
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("relay ttl " + ttl + " is longer than the maximum " + MAX_TTL
                    + " (720h)");
        }
    }

    /**
     * Parses a relay option.
     *
     * @throws IllegalArgumentException on another scheme than turn/turns, a missing host or
     *     port, or a bad ttl
     */
    public static RelaySpec parse(String text) {
        int q = text.indexOf('?');
        String base = q < 0 ? text : text.substring(0, q);
        String query = q < 0 ? "" : text.substring(q + 1);
        if (!base.startsWith("turn:") && !base.startsWith("turns:")) {
            throw new IllegalArgumentException("relay must be a turn: or turns: URL: " + redact(text));
        }
        String hostPort = base.substring(base.indexOf(':') + 1);
        int colon = hostPort.lastIndexOf(':');
        if (hostPort.isEmpty() || colon == 0) {
            throw new IllegalArgumentException("relay URL needs a host: " + redact(text));
        }
        if (colon > 0) {
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                if (port <= 0 || port > 65535) {
                    throw new IllegalArgumentException("relay port out of range: " + redact(text));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad relay port: " + redact(text), e);
            }
        }
        String secret = null;
        Duration ttl = DEFAULT_TTL;
        List<String> kept = new ArrayList<>();
        for (String param : query.split("&")) {
            if (param.isEmpty()) {
                continue;
            }
            int eq = param.indexOf('=');
            String key = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : percentDecode(param.substring(eq + 1), text);
            switch (key) {
                case "secret" -> secret = value;
                case "ttl" -> ttl = parseDuration(value);
                default -> kept.add(param);
            }
        }
        String url = kept.isEmpty() ? base : base + "?" + String.join("&", kept);
        return new RelaySpec(url, secret, ttl);
    }

    /**
     * Decodes {@code %XX} escapes only: unlike {@link java.net.URLDecoder} a {@code '+'} stays a
     * {@code '+'} (base64 secrets contain it).
     */
    static String percentDecode(String value, String text) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        byte[] in = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] != '%') {
                out.write(in[i]);
                continue;
            }
            int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            int lo = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("bad percent escape in relay URL parameter: " + redact(text));
            }
            out.write(hi * 16 + lo);
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String redact(String text) {
        return text.replaceAll("secret=[^&]*", "secret=***");
    }

    /** {@code 90}, {@code 90s}, {@code 15m}, {@code 1h}, {@code 1h30m}, as Go's durations read them (no fractions). */
    static Duration parseDuration(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty ttl");
        }
        try {
            return parseDurationUnchecked(text);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("relay ttl too long (maximum " + MAX_TTL + ", 720h): " + text, e);
        }
    }

    private static Duration parseDurationUnchecked(String text) {
        if (text.chars().allMatch(Character::isDigit)) {
            return Duration.ofSeconds(Long.parseLong(text));
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            if (start == i || i == text.length()) {
                throw new IllegalArgumentException("bad ttl (e.g. 1h, 30m, 90s): " + text);
            }
            long n = Long.parseLong(text.substring(start, i));
            char unit = text.charAt(i++);
            total = total.plus(switch (unit) {
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new IllegalArgumentException("bad ttl unit '" + unit + "' (h, m, s): " + text);
            });
        }
        return total;
    }

    /** The same relay with {@code newSecret} (e.g. read from a file rather than given in the URL). */
    public RelaySpec withSecret(String newSecret) {
        return new RelaySpec(url, newSecret, ttl);
    }

    /** Masks the secret. */
    @Override
    public String toString() {
        return "RelaySpec[url=" + url + ", secret=" + (secret == null ? "none" : "***") + ", ttl=" + ttl + "]";
    }
}
