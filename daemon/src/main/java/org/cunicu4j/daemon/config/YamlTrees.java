package org.cunicu4j.daemon.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Turns YAML 1.2 text into a {@link Tree}, keeping each node's line and column: composes
 * with snakeyaml-engine (no object construction, no tags resolved into Java types) and
 * refuses duplicate keys, non-scalar keys, documents nested deeper than {@link #MAX_DEPTH}
 * and alias expansions beyond {@link #MAX_NODES}. Every failure is a {@link ConfigException};
 * YAML error messages are reduced to the problem and its position so that no snippet of
 * the file (which may hold a key) is echoed. Stateless.
 */
final class YamlTrees {
    static final int MAX_DEPTH = 64;
    static final int MAX_NODES = 100_000;
    private static final int MAX_CODE_POINTS = 4 * 1024 * 1024;

    /**
     * Immutable and shared: building settings compiles the schema's patterns, which costs far
     * more than composing a small file. No label: marks are reported through {@link Origin}.
     */
    private static final LoadSettings SETTINGS = LoadSettings.builder()
            .setSchema(new CoreSchema())
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(50)
            .setCodePointLimit(MAX_CODE_POINTS)
            .setAllowNonScalarKeys(true) // refused by the converter, with a position
            .build();

    private YamlTrees() {}

    /**
     * Composes {@code text} into a tree rooted at {@code root} (its source names the file or
     * option); an empty document is null.
     */
    static Tree parse(String text, Origin root) {
        Optional<Node> node;
        try {
            node = new Compose(SETTINGS).composeString(text);
        } catch (MarkedYamlEngineException e) {
            // a position inside an option's value would read as a file position: leave it out
            Mark m = root.override() ? null : e.getProblemMark().or(e::getContextMark).orElse(null);
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new ConfigException(root.source(), m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1,
                    root.path(), "not valid YAML: " + problem);
        } catch (StackOverflowError e) {
            throw root.error("not valid YAML: nested too deeply");
        } catch (RuntimeException e) {
            // snakeyaml-engine's own exceptions without a mark, and anything unexpected from it
            throw root.error("not valid YAML: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())));
        }
        if (node.isEmpty()) {
            return null;
        }
        return new YamlTrees.Converter().convert(node.get(), root, 0);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static final class Converter {
        private int nodes;

        Tree convert(Node node, Origin origin, int depth) {
            if (++nodes > MAX_NODES) {
                throw origin.error("the document expands to more than " + MAX_NODES + " nodes (aliases?)");
            }
            if (depth > MAX_DEPTH) {
                throw origin.error("nested more than " + MAX_DEPTH + " levels deep");
            }
            Origin here = at(origin, node);
            return switch (node) {
                case ScalarNode s -> scalar(s, here);
                case SequenceNode seq -> {
                    List<Tree> items = new ArrayList<>();
                    int i = 0;
                    for (Node item : seq.getValue()) {
                        items.add(convert(item, here.withPath(here.path() + "[" + i++ + "]"), depth + 1));
                    }
                    yield new Tree.Seq(items, here);
                }
                case MappingNode map -> {
                    Map<String, Tree> entries = new LinkedHashMap<>();
                    Map<String, Origin> keys = new LinkedHashMap<>();
                    for (NodeTuple t : map.getValue()) {
                        Node k = t.getKeyNode();
                        Origin keyAt = at(here, k);
                        if (!(k instanceof ScalarNode ks)) {
                            throw keyAt.error("a key must be a plain name, not a list or map");
                        }
                        Tree.Scalar key = scalar(ks, keyAt);
                        if (key.isNull() || key.text().isEmpty()) {
                            throw keyAt.error("empty key");
                        }
                        Origin child = here.child(key.text(), keyAt.line(), keyAt.column());
                        if (entries.containsKey(key.text())) {
                            throw child.error("duplicate key (already set above in the same map)");
                        }
                        keys.put(key.text(), child);
                        entries.put(key.text(), convert(t.getValueNode(), child, depth + 1));
                    }
                    yield new Tree.MapNode(entries, keys, here);
                }
                default -> throw here.error("unsupported YAML node " + node.getNodeType());
            };
        }

        private static Origin at(Origin origin, Node node) {
            if (origin.override()) {
                return origin;
            }
            Optional<Mark> m = node.getStartMark();
            return m.map(mark -> origin.at(mark.getLine() + 1, mark.getColumn() + 1)).orElse(origin);
        }

        private static Tree.Scalar scalar(ScalarNode s, Origin origin) {
            boolean plain = s.getScalarStyle() == ScalarStyle.PLAIN;
            String v = s.getValue();
            if (plain && isNullWord(v)) {
                return new Tree.Scalar(null, true, origin);
            }
            return new Tree.Scalar(v, plain, origin);
        }
    }

    /** YAML 1.2 core schema nulls. */
    static boolean isNullWord(String v) {
        return v.isEmpty() || v.equals("~") || v.equals("null") || v.equals("Null") || v.equals("NULL");
    }
}
