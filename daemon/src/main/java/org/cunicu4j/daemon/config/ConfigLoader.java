package org.cunicu4j.daemon.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
     *     problem; also when the file holds a private key, a preshared key or an ICE password
     *     and is readable by group or others
     */
    public static DaemonConfig load(Path file, Map<String, String> env, List<String> overrides) {
        Objects.requireNonNull(file, "file");
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, 0, 0, null, "no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(name, 0, 0, null, "permission denied (the daemon reads its configuration as the user it runs as)");
        } catch (CharacterCodingException e) {
            throw new ConfigException(name, 0, 0, null, "not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(name, 0, 0, null, "cannot read: " + e, e);
        }
        Tree.MapNode root = parseRoot(text, name);
        Origin secret = findSecret(root);
        if (secret != null) {
            checkPrivate(file, secret);
        }
        return build(root, file, env, overrides);
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
        Tree.MapNode merged = root;
        List<String> warnings = new ArrayList<>();
        for (Tree.MapNode e : Overrides.fromEnv(env, warnings)) {
            merged = merged.mergedWith(e);
        }
        for (String o : overrides) {
            merged = merged.mergedWith(Overrides.fromOption(o));
        }
        return Schema.daemonConfig(merged, source, warnings);
    }

    /** The first secret in the tree: a private_key, preshared_key or ice password. */
    private static Origin findSecret(Tree t) {
        if (t instanceof Tree.MapNode m) {
            for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
                Tree v = e.getValue();
                boolean set = !Schema.isNull(v);
                String key = e.getKey();
                if (set && (key.equals("private_key") || key.equals("preshared_key")
                        || key.equals("password") && m.origin().key().equals("ice"))) {
                    return m.keyOrigin(key);
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

    private static void checkPrivate(Path file, Origin secret) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, null, "cannot read its permissions: " + e, e);
        }
        if (perms.stream().anyMatch(READABLE_BY_OTHERS::contains)) {
            String what = switch (secret.key()) {
                case "private_key" -> "a private key";
                case "preshared_key" -> "a preshared key";
                default -> "a password";
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
