package org.cunicu4j.signaling.backend;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Opens signaling backends by URL: {@code grpc://host:port[?insecure=true]},
 * {@code inprocess:[name]}, {@code multicast://group:port[?interface=...]}.
 *
 * <p>Schemes are served by {@link BackendFactory}s: {@code inprocess} is built in; the
 * others are found with {@link ServiceLoader} (listed in
 * {@code META-INF/services/org.cunicu4j.signaling.backend.BackendFactory}, where a listed
 * class that is missing is skipped) or added with {@link #register}. Thread-safe.
 */
public final class Backends {

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static final Object LOCK = new Object();
    private static Map<String, BackendFactory> factories; // guarded by LOCK; sorted by scheme

    private Backends() {
    }

    /**
     * Opens the backend for {@code url}.
     *
     * @throws IllegalArgumentException when the URL does not parse, its scheme is unknown
     *     (the message names the URL and the known schemes), or its factory refuses it
     */
    public static SignalingBackend open(String url) {
        return open(BackendUrl.parse(url));
    }

    /** {@link #open(String)} for a parsed URL. */
    public static SignalingBackend open(BackendUrl url) {
        Objects.requireNonNull(url, "url");
        BackendFactory factory;
        Set<String> known;
        synchronized (LOCK) {
            Map<String, BackendFactory> all = factories();
            factory = all.get(url.scheme());
            known = new TreeSet<>(all.keySet());
        }
        if (factory == null) {
            throw url.error("unknown scheme '" + url.scheme() + "' (known schemes: " + String.join(", ", known) + ")");
        }
        return factory.open(url);
    }

    /**
     * Opens every URL: one backend as is, several as a {@link MultiBackend}. If one fails,
     * those already opened are closed.
     *
     * @throws IllegalArgumentException when {@code urls} is empty or a URL is refused
     */
    public static SignalingBackend openAll(List<String> urls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no signaling backend URL given");
        }
        List<SignalingBackend> opened = new ArrayList<>();
        try {
            for (String url : urls) {
                opened.add(open(url));
            }
        } catch (RuntimeException e) {
            for (SignalingBackend b : opened) {
                try {
                    b.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return opened.size() == 1 ? opened.getFirst() : new MultiBackend(opened);
    }

    /** Adds or replaces the factory for {@code factory.scheme()}. */
    public static void register(BackendFactory factory) {
        String scheme = factory.scheme().toLowerCase(java.util.Locale.ROOT);
        synchronized (LOCK) {
            factories().put(scheme, factory);
        }
    }

    /** The schemes that can be opened, sorted. */
    public static Set<String> schemes() {
        synchronized (LOCK) {
            return new TreeSet<>(factories().keySet());
        }
    }

    private static Map<String, BackendFactory> factories() {
        if (factories == null) {
            Map<String, BackendFactory> map = new TreeMap<>();
            map.put(InProcessBackend.SCHEME, new InProcessBackend.Factory());
            Iterator<BackendFactory> it = ServiceLoader.load(BackendFactory.class, Backends.class.getClassLoader())
                    .iterator();
            // a listed class that is missing makes hasNext() throw once and move on; the bound
            // guards against a class loader that would keep failing on the same entry
            for (int attempts = 0; attempts < 64; attempts++) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    BackendFactory f = it.next();
                    map.putIfAbsent(f.scheme().toLowerCase(java.util.Locale.ROOT), f);
                } catch (ServiceConfigurationError e) {
                    // a listed provider whose class is not (yet) on the class path
                    LOG.log(System.Logger.Level.DEBUG, "skipping signaling backend provider: " + e.getMessage());
                }
            }
            factories = map;
        }
        return factories;
    }
}
