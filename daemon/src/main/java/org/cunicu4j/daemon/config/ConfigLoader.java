package org.cunicu4j.daemon.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the daemon's configuration: a YAML file laid out like cunīcu's (or none), then
 * {@code CUNICU_*} environment variables, then {@code -o key=value} options, each overriding
 * the one before (file &lt; environment &lt; options); validates everything and returns an
 * immutable {@link DaemonConfig}.
 *
 * <p>Environment variables and top-level option keys set the top-level settings, which are
 * the defaults of every interface: an {@code interfaces:} entry of the file that sets the same
 * key still wins for the interfaces it matches (use {@code -o interfaces.wg0.listen_port=...}
 * to override that). Stateless and thread-safe.
 */
public final class ConfigLoader {
    /** The largest configuration file read (far beyond any real one; bounds memory and time). */
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

    private static final Set<PosixFilePermission> READABLE_BY_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private ConfigLoader() {}

    /**
     * Loads {@code file} with the overrides.
     *
     * @param env the process environment (only {@code CUNICU_*} variables are looked at; an
     *     unknown one is ignored with a {@link DaemonConfig#warnings() warning}, and
     *     {@code CUNICU_CONFIG} is left to the caller)
     * @param overrides {@code key=value} strings from {@code -o}, in command-line order
     * @throws ConfigException naming the file (or variable, or option), line:column, key and
     *     problem; also when the file is not a regular file, is larger than 4 MiB, is writable
     *     by group or others, was replaced while it was read, or holds a private key, a
     *     preshared key, an ICE password or a TURN URL with a password and is readable by
     *     group or others
     */
    public static DaemonConfig load(Path file, Map<String, String> env, List<String> overrides) {
        Objects.requireNonNull(file, "file");
        String name = file.toString();
        // what the path is before opening it: a FIFO would block the open, a device never end
        BasicFileAttributes before = attributes(file, name);
        if (!before.isRegularFile()) {
            throw new ConfigException(name, 0, 0, null, "not a regular file (" + (before.isDirectory() ? "a directory"
                    : "a FIFO, socket or device") + ")");
        }
        if (before.size() > MAX_FILE_BYTES) {
            throw new ConfigException(name, 0, 0, null, tooLarge(Long.toString(before.size())));
        }
        byte[] bytes = readBounded(file, name);
        BasicFileAttributes after = attributes(file, name);
        if (!Objects.equals(before.fileKey(), after.fileKey()) || !after.isRegularFile()) {
            throw new ConfigException(name, 0, 0, null, "the file was replaced while it was read; try again");
        }
        Set<PosixFilePermission> perms = after instanceof PosixFileAttributes p ? p.permissions() : null;
        if (perms != null) {
            checkNotWritableByOthers(file, perms);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(name, 0, 0, null, "not UTF-8 text");
        }
        Tree.MapNode root = parseRoot(text, name);
        Origin secret = findSecret(root);
        if (secret != null && perms != null) {
            checkPrivate(file, perms, secret);
        }
        return build(root, file, env, overrides);
    }

    /** POSIX attributes (following links) where the file system has them, else the basic ones. */
    private static BasicFileAttributes attributes(Path file, String name) {
        try {
            try {
                return Files.readAttributes(file, PosixFileAttributes.class);
            } catch (UnsupportedOperationException e) {
                return Files.readAttributes(file, BasicFileAttributes.class);
            }
        } catch (IOException e) {
            throw readError(name, e);
        }
    }

    /** At most {@link #MAX_FILE_BYTES}: the file may have grown since its size was read. */
    private static byte[] readBounded(Path file, String name) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new ConfigException(name, 0, 0, null, tooLarge("more than " + MAX_FILE_BYTES));
            }
            return bytes;
        } catch (IOException e) {
            throw readError(name, e);
        }
    }

    private static String tooLarge(String size) {
        return "larger than 4 MiB (" + size + " bytes): not a configuration file";
    }

    private static ConfigException readError(String name, IOException e) {
        return switch (e) {
            case NoSuchFileException x -> new ConfigException(name, 0, 0, null, "no such file");
            case AccessDeniedException x -> new ConfigException(name, 0, 0, null,
                    "permission denied (the daemon reads its configuration as the user it runs as)");
            default -> new ConfigException(name, 0, 0, null, "cannot read: " + e, e);
        };
    }

    /**
     * A file others can write is refused whatever it holds: whoever can change the
     * configuration of a daemon running as root controls what it runs and where it connects.
     */
    private static void checkNotWritableByOthers(Path file, Set<PosixFilePermission> perms) {
        boolean group = perms.contains(PosixFilePermission.GROUP_WRITE);
        boolean others = perms.contains(PosixFilePermission.OTHERS_WRITE);
        if (group || others) {
            throw new ConfigException(file.toString(), 0, 0, null, "writable by " + (group && others ? "group and others"
                    : group ? "its group" : "others") + " (mode " + mode(perms) + ", " + PosixFilePermissions.toString(perms)
                    + "): whoever can change it controls the daemon; run: chmod go-w " + file);
        }
    }

    /**
     * Loads configuration text that did not come from a file the permission check applies to
     * (tests, an embedded default); {@code name} names it in errors.
     */
    public static DaemonConfig parse(String text, String name, Map<String, String> env, List<String> overrides) {
        return build(parseRoot(text, name), null, env, overrides);
    }

    /** The built-in defaults with the overrides, for a daemon started without a file. */
    public static DaemonConfig defaults(Map<String, String> env, List<String> overrides) {
        return build(Tree.MapNode.empty(Origin.file("defaults", 0, 0)), null, env, overrides);
    }

    private static Tree.MapNode parseRoot(String text, String name) {
        Origin origin = Origin.file(name, 0, 0);
        Tree t = YamlTrees.parse(text, origin);
        if (t == null) {
            return Tree.MapNode.empty(origin);
        }
        if (!(t instanceof Tree.MapNode m)) {
            throw t.origin().error("the configuration must be a map of settings (key: value), not "
                    + (t instanceof Tree.Seq ? "a list" : "a single value"));
        }
        return m;
    }

    private static DaemonConfig build(Tree.MapNode root, Path source, Map<String, String> env, List<String> overrides) {
        // "MIN-MAX" ranges become {min, max} first, so that CUNICU_LISTEN_PORT_RANGE_MAX replaces only max
        Tree.MapNode merged = Schema.normalizePortRanges(root);
        List<String> warnings = new ArrayList<>();
        for (Tree.MapNode e : Overrides.fromEnv(env, warnings)) {
            merged = merged.mergedWith(Schema.normalizePortRanges(e));
        }
        for (String o : overrides) {
            merged = merged.mergedWith(Schema.normalizePortRanges(Overrides.fromOption(o)));
        }
        return Schema.daemonConfig(merged, source, warnings);
    }

    /**
     * The first secret in the tree: a private_key, preshared_key, ice password or non-empty
     * community passphrase, or a TURN
     * URL in ice.urls with inline credentials ({@code turn:user:password@host}).
     */
    private static Origin findSecret(Tree t) {
        if (t instanceof Tree.MapNode m) {
            boolean ice = m.origin().key().equals("ice");
            for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
                Tree v = e.getValue();
                boolean set = !Schema.isNull(v);
                String key = e.getKey();
                boolean emptyText = v instanceof Tree.Scalar sc && !sc.isNull() && sc.text().isEmpty();
                if (set && (key.equals("private_key") || key.equals("preshared_key") || key.equals("password") && ice
                        || key.equals("community") && !emptyText)) {
                    return m.keyOrigin(key);
                }
                if (ice && key.equals("urls") && v instanceof Tree.Seq urls) {
                    for (Tree u : urls.items()) {
                        if (u instanceof Tree.Scalar s && !s.isNull() && s.text().indexOf('@') >= 0) {
                            return u.origin();
                        }
                    }
                }
                Origin inner = findSecret(v);
                if (inner != null) {
                    return inner;
                }
            }
        } else if (t instanceof Tree.Seq s) {
            for (Tree i : s.items()) {
                Origin inner = findSecret(i);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static void checkPrivate(Path file, Set<PosixFilePermission> perms, Origin secret) {
        if (perms.stream().anyMatch(READABLE_BY_OTHERS::contains)) {
            String what = switch (secret.key()) {
                case "private_key" -> "a private key";
                case "preshared_key" -> "a preshared key";
                case "password" -> "a password";
                case "community" -> "a community passphrase";
                default -> "a TURN URL with a password";
            };
            throw new ConfigException(file.toString(), secret.line(), secret.column(), secret.path(),
                    "the file holds " + what + " but is readable by " + readers(perms) + " (mode " + mode(perms)
                            + ", " + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + file);
        }
    }

    private static String readers(Set<PosixFilePermission> perms) {
        boolean group = perms.contains(PosixFilePermission.GROUP_READ);
        boolean others = perms.contains(PosixFilePermission.OTHERS_READ);
        return group && others ? "group and others" : group ? "its group" : "others";
    }

    /** Octal mode such as {@code 0644}. */
    static String mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", m);
    }
}
