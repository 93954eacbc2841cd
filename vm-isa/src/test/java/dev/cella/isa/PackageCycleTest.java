package dev.cella.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the packages of vm-isa free of cycles, so each layer can be read and changed knowing only
 * the ones below it: {@code isa} (the vocabulary) under {@code module} and {@code code}, those
 * under {@code flow}, {@code format}, {@code text} and {@code verify}, and {@code doc} on top. The module system
 * only forbids cycles between modules; this test does it between packages.
 *
 * <p>It reads the sources, not the classes, because javac copies constants into the classes that
 * use them: a reference to {@code Verifier.MAX_CODE_BYTES} leaves no trace in bytecode but is a
 * dependency all the same. A package depends on another when one of its files names it, in an
 * import or a qualified name in code; comments and string literals do not count.
 */
class PackageCycleTest {
    /** Tests run with the module directory (vm-isa) as working directory. */
    private static final Path SOURCES = Path.of("src", "main", "java");

    /** A qualified package name under dev.cella: lower-case segments, up to a class name or {@code *}. */
    private static final Pattern PACKAGE = Pattern.compile("\\bdev\\.cella(?:\\.[a-z_][a-z0-9_]*)*");
    private static final Pattern DECLARATION = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    @Test
    void vmIsaHasNoPackageCycle() throws IOException {
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java")).forEach(p -> sources.put(
                    SOURCES.relativize(p).toString(), read(p)));
        }
        assertTrue(sources.size() > 30, "found only " + sources.size() + " sources under " + SOURCES.toAbsolutePath());
        Graph graph = Graph.of(sources);
        assertTrue(graph.edges.containsKey("dev.cella.isa.verify"), "the verifier's package was not seen");
        assertEquals(List.of(), graph.cycle(), () -> "a package cycle in vm-isa; break it by moving the class "
                + "that makes the edge back to a lower package. The edges and the files that make them:\n"
                + graph.describe(graph.cycle()));
    }

    @Test
    void findsACycleAndTheFilesThatMakeIt() {
        Graph graph = Graph.of(Map.of(
                "a/A.java", "package dev.cella.a;\nimport dev.cella.a.b.B;\nclass A { B b; }",
                "a/b/B.java", "package dev.cella.a.b;\n/** Not a dependency: {@link dev.cella.a.c.C}. */\n"
                        + "class B { Object c = new dev.cella.a.c.C(); String s = \"dev.cella.z.Z\"; }",
                "a/c/C.java", "package dev.cella.a.c;\nimport static dev.cella.a.A.*;\nclass C {}"));
        assertEquals(List.of("dev.cella.a", "dev.cella.a.b", "dev.cella.a.c", "dev.cella.a"), graph.cycle());
        assertEquals(Set.of("dev.cella.a.c"), graph.edges.get("dev.cella.a.b").keySet(), "comments and strings are not dependencies");
        assertTrue(graph.describe(graph.cycle()).contains("dev.cella.a.c -> dev.cella.a (a/c/C.java)"),
                graph.describe(graph.cycle()));
    }

    @Test
    void layeredPackagesHaveNoCycle() {
        Graph graph = Graph.of(Map.of(
                "a/A.java", "package dev.cella.a;\nclass A {}",
                "a/b/B.java", "package dev.cella.a.b;\nimport dev.cella.a.A;\nclass B {}",
                "a/c/C.java", "package dev.cella.a.c;\nimport dev.cella.a.*;\nimport dev.cella.a.b.B;\nclass C {}"));
        assertEquals(List.of(), graph.cycle());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Package to package to the files that make the edge; self-edges are left out. */
    private record Graph(Map<String, Map<String, Set<String>>> edges) {
        static Graph of(Map<String, String> sources) {
            Map<String, Map<String, Set<String>>> edges = new TreeMap<>();
            sources.forEach((file, text) -> {
                Matcher declared = DECLARATION.matcher(text);
                if (!declared.find()) {
                    throw new AssertionError(file + " declares no package");
                }
                String from = declared.group(1);
                Map<String, Set<String>> out = edges.computeIfAbsent(from, k -> new TreeMap<>());
                Matcher named = PACKAGE.matcher(code(text.substring(declared.end())));
                while (named.find()) {
                    if (!named.group().equals(from)) {
                        out.computeIfAbsent(named.group(), k -> new TreeSet<>()).add(file);
                    }
                }
            });
            return new Graph(edges);
        }

        /** A cycle as the packages along it, first repeated at the end; empty when there is none. */
        List<String> cycle() {
            Set<String> done = new TreeSet<>();
            for (String start : edges.keySet()) {
                List<String> found = search(start, new ArrayList<>(), done);
                if (!found.isEmpty()) {
                    return found;
                }
            }
            return List.of();
        }

        /** Depth-first search; {@code path} holds the packages being visited. */
        private List<String> search(String node, List<String> path, Set<String> done) {
            int at = path.indexOf(node);
            if (at >= 0) {
                List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
                cycle.add(node);
                return cycle;
            }
            if (done.contains(node)) {
                return List.of();
            }
            path.add(node);
            for (String next : edges.getOrDefault(node, Map.of()).keySet()) {
                List<String> found = search(next, path, done);
                if (!found.isEmpty()) {
                    return found;
                }
            }
            path.remove(path.size() - 1);
            done.add(node);
            return List.of();
        }

        String describe(List<String> cycle) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i + 1 < cycle.size(); i++) {
                sb.append("  ").append(cycle.get(i)).append(" -> ").append(cycle.get(i + 1)).append(" (")
                        .append(String.join(", ", edges.get(cycle.get(i)).get(cycle.get(i + 1)))).append(")\n");
            }
            return sb.toString();
        }
    }

    /** {@code text} with its comments, string and character literals blanked out. */
    static String code(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int end;
            if (text.startsWith("//", i)) {
                end = text.indexOf('\n', i);
            } else if (text.startsWith("/*", i)) {
                end = text.indexOf("*/", i + 2) + 2;
            } else if (text.startsWith("\"\"\"", i)) {
                end = text.indexOf("\"\"\"", i + 3) + 3;
            } else if (text.charAt(i) == '"' || text.charAt(i) == '\'') {
                end = i + 1;
                while (end < text.length() && text.charAt(end) != text.charAt(i)) {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                end++;
            } else {
                sb.append(text.charAt(i++));
                continue;
            }
            if (end <= i) {
                end = text.length(); // an unterminated comment or literal runs to the end
            }
            sb.append(' ');
            i = Math.min(end, text.length());
        }
        return sb.toString();
    }
}
