package dev.cella.images;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * One node of a YAML (or JSON) document as snakeyaml-engine composed it, with the typed accessors
 * the manifest of defaults, the app file and the image's JSON documents need. Every accessor
 * that finds the wrong thing throws an {@link ImageException} naming {@code FILE:LINE:COLUMN},
 * the field's path ({@code services.worker.replicas}) and what was expected, from the node's mark.
 */
public final class YamlNode {
    private final Node node;
    private final String file;
    private final String field;
    private final ImageException.Kind kind;

    private YamlNode(Node node, String file, String field, ImageException.Kind kind) {
        this.node = node;
        this.file = file;
        this.field = field;
        this.kind = kind;
    }

    /**
     * Parses the one document in {@code text}; an empty document is an empty mapping.
     *
     * @param file what messages call the text (a file name, or a blob)
     * @param kind the kind of the exceptions thrown for errors in it
     * @throws ImageException if the text is not YAML, naming the line and column
     */
    public static YamlNode parse(String file, String text, ImageException.Kind kind) {
        LoadSettings settings = LoadSettings.builder().setLabel(file).setMaxAliasesForCollections(0)
                .setCodePointLimit(16 << 20).build();
        try {
            Optional<Node> root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)))
                    .getSingleNode();
            Node n = root.orElseGet(() -> new MappingNode(org.snakeyaml.engine.v2.nodes.Tag.MAP, List.of(),
                    org.snakeyaml.engine.v2.common.FlowStyle.AUTO));
            return new YamlNode(n, file, "", kind);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            String where = m == null ? file : file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            throw new ImageException(kind, where + ": not valid YAML: " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new ImageException(kind, file + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    /** The field's path from the document's root, for messages; empty at the root. */
    public String field() {
        return field;
    }

    /** Where this node starts: {@code FILE:LINE:COLUMN}. */
    public String where() {
        Optional<Mark> m = node.getStartMark();
        return m.map(k -> file + ":" + (k.getLine() + 1) + ":" + (k.getColumn() + 1)).orElse(file);
    }

    /** An error at this node: {@code FILE:LINE:COLUMN: field: message}. */
    public ImageException error(String message) {
        return new ImageException(kind, where() + ": " + (field.isEmpty() ? "" : field + ": ") + message);
    }

    /** True if this node is a mapping. */
    public boolean isMap() {
        return node instanceof MappingNode;
    }

    /** The members of this mapping in document order. @throws ImageException if not a mapping, or a key repeats or is not a string */
    public Map<String, YamlNode> map() {
        if (!(node instanceof MappingNode mapping)) {
            throw error("expected a mapping (key: value lines), found " + describe());
        }
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            YamlNode key = new YamlNode(t.getKeyNode(), file, field, kind);
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw key.error("a key must be a plain string");
            }
            String name = k.getValue();
            if (out.containsKey(name)) {
                throw key.error("key '" + name + "' appears twice");
            }
            out.put(name, new YamlNode(t.getValueNode(), file, field.isEmpty() ? name : field + "." + name, kind));
        }
        return out;
    }

    /** This mapping's members, after checking that every key is one of {@code known}. */
    public Map<String, YamlNode> map(Set<String> known) {
        Map<String, YamlNode> m = map();
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw e.getValue().error("unknown field (expected one of " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
        return m;
    }

    /** The items of this sequence. */
    public List<YamlNode> list() {
        if (!(node instanceof SequenceNode seq)) {
            throw error("expected a list, found " + describe());
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.add(new YamlNode(seq.getValue().get(i), file, field + "[" + i + "]", kind));
        }
        return out;
    }

    /** This scalar's text. */
    public String string() {
        if (!(node instanceof ScalarNode s) || isNull()) {
            throw error("expected a string, found " + describe());
        }
        return s.getValue();
    }

    /** A list of strings. */
    public List<String> strings() {
        return list().stream().map(YamlNode::string).toList();
    }

    /** A mapping of strings to strings. */
    public Map<String, String> stringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        map().forEach((k, v) -> out.put(k, v.string()));
        return out;
    }

    /** This scalar as a whole number from {@code min} to {@code max}. */
    public long integer(long min, long max) {
        String s = string();
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("expected a whole number, found '" + s + "'");
        }
        if (v < min || v > max) {
            throw error("must be from " + min + " to " + max + ", not " + v);
        }
        return v;
    }

    /** This scalar as true or false. */
    public boolean bool() {
        String s = string();
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error("expected true or false, found '" + s + "'");
        };
    }

    private boolean isNull() {
        return node instanceof ScalarNode s && s.getTag().equals(org.snakeyaml.engine.v2.nodes.Tag.NULL);
    }

    private String describe() {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when isNull() -> "nothing";
            case ScalarNode s -> "'" + s.getValue() + "'";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
