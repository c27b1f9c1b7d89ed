package org.cunicu4j.daemon.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration as a tree of maps, lists and scalars, each node knowing its {@link Origin}
 * (file, line, column, key path), before it is typed. Built from YAML nodes and from
 * environment variables and {@code -o} options; merged per key. Immutable.
 */
sealed interface Tree {

    Origin origin();

    /** A scalar: its text (null for a YAML null), whether it was written without quotes. */
    record Scalar(String text, boolean plain, Origin origin) implements Tree {
        boolean isNull() {
            return text == null;
        }
    }

    /** A sequence. */
    record Seq(List<Tree> items, Origin origin) implements Tree {
        public Seq {
            items = List.copyOf(items);
        }
    }

    /**
     * A mapping with string keys in order; {@code keys} holds where each key was written
     * (for errors about the key itself).
     */
    record MapNode(Map<String, Tree> entries, Map<String, Origin> keys, Origin origin) implements Tree {
        public MapNode {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        }

        /** An empty map at {@code origin}. */
        static MapNode empty(Origin origin) {
            return new MapNode(Map.of(), Map.of(), origin);
        }

        Tree get(String key) {
            return entries.get(key);
        }

        /** Where {@code key} was written (the value's origin when not recorded). */
        Origin keyOrigin(String key) {
            Origin o = keys.get(key);
            return o != null ? o : entries.get(key).origin();
        }

        /**
         * This map with {@code over} laid on top: keys of {@code over} win, maps are merged
         * recursively (so {@code ice.urls} from one pattern and {@code ice.username} from
         * another both survive), lists and scalars are replaced.
         */
        MapNode mergedWith(MapNode over) {
            Map<String, Tree> out = new LinkedHashMap<>(entries);
            Map<String, Origin> outKeys = new LinkedHashMap<>(keys);
            for (Map.Entry<String, Tree> e : over.entries.entrySet()) {
                Tree mine = out.get(e.getKey());
                if (mine instanceof MapNode m && e.getValue() instanceof MapNode o) {
                    out.put(e.getKey(), m.mergedWith(o));
                } else {
                    out.put(e.getKey(), e.getValue());
                    Origin k = over.keys.get(e.getKey());
                    if (k != null) {
                        outKeys.put(e.getKey(), k);
                    }
                }
            }
            return new MapNode(out, outKeys, origin);
        }
    }
}
