package dev.cella.vm.interp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Generates {@link UnmeteredDispatch} from {@link Dispatch}'s source, so that the interpreter's
 * instruction semantics live in one file. It follows only the marker comments in Dispatch (each
 * a line of its own whose text starts with {@code // @generate:unmetered-}):
 * <ul>
 *   <li>{@code header-begin} ... {@code header-end}: replaced by UnmeteredDispatch's class comment,
 *       declaration and constructor ({@link #HEADER});
 *   <li>{@code guard-begin} ... {@code guard-end}: the charge after the switch, run only if pc is
 *       on a FUEL header (unmetered code has headers at check sites only);
 *   <li>{@code rename A B}: on the next line, the call {@code A(} becomes {@code B(}.
 * </ul>
 * Every other line is copied verbatim, and no marker is left in the copy. A marker missing,
 * repeated, unknown or out of order is an {@link IllegalArgumentException} naming its line.
 *
 * <p>Run {@code java -cp vm-interpreter/target/test-classes dev.cella.vm.interp.UnmeteredDispatchGenerator}
 * from the project directory (after {@code mvn -pl vm-interpreter test-compile}) to rewrite the
 * file, or the test {@code UnmeteredDispatchSourceTest} with {@code -Dcella.regenerate=true};
 * the test fails the build whenever the file is not what this generates.
 */
public final class UnmeteredDispatchGenerator {
    static final String MARKER = "// @generate:unmetered-";
    private static final String DIR = "src/main/java/dev/cella/vm/interp/";

    /** The first lines of the generated file. */
    static final String GENERATED = """
            // GENERATED FILE: do not edit. Generated from Dispatch.java by UnmeteredDispatchGenerator
            // (vm-interpreter's tests): edit Dispatch.java, then regenerate.
            """;

    /** What replaces the header-begin ... header-end region. */
    static final String HEADER = """
            /**
             * The dispatch loop for unmetered instances, generated from {@link Dispatch}.
             *
             * <p>It is Dispatch (see its invariants) with two changes. Unmetered code (see {@link Decoder})
             * has FUEL headers only at check sites, and a branch, call or return to any other leader lands
             * on the leader's instruction itself; so the code after the switch charges a header only if pc
             * is on one, and {@code credit} is the countdown to the next poll of the interrupt hook, not
             * fuel. Per block entered that is one compare instead of a charge, and falling through into a
             * leader that is not a check site costs nothing. And it calls the unmetered slow paths, {@link
             * Machine#poll} and {@link Machine#callHostUnmetered}, where Dispatch calls {@link
             * Machine#refuel} and {@link Machine#callHost}.
             */
            final class UnmeteredDispatch {
                private UnmeteredDispatch() {}
            """;

    private UnmeteredDispatchGenerator() {}

    /** Rewrites UnmeteredDispatch.java from Dispatch.java; the optional argument is the directory of both. */
    public static void main(String[] args) throws IOException {
        if (args.length > 1) {
            System.err.println("usage: UnmeteredDispatchGenerator [SOURCE-DIRECTORY]");
            System.exit(2);
        }
        Path dir = args.length == 1 ? Path.of(args[0]) : sourceDirectory();
        String generated = generate(Files.readString(dir.resolve("Dispatch.java"), StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("UnmeteredDispatch.java"), generated, StandardCharsets.UTF_8);
    }

    /** This package's main source directory, from the module's or the project's directory. */
    static Path sourceDirectory() {
        Path dir = Path.of(DIR);
        return Files.isDirectory(dir) ? dir : Path.of("vm-interpreter", DIR);
    }

    /**
     * UnmeteredDispatch's source, derived from Dispatch's (see the class comment).
     *
     * @throws IllegalArgumentException if the markers are missing, repeated, unknown or out of order
     */
    public static String generate(String dispatch) {
        List<String> lines = dispatch.lines().toList();
        StringBuilder out = new StringBuilder(dispatch.length() + 1024).append(GENERATED);
        int headers = 0;
        int guards = 0;
        boolean inHeader = false;
        String guardIndent = null;
        String[] rename = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String text = line.strip();
            if (text.startsWith(MARKER)) {
                String[] words = text.substring(MARKER.length()).split(" ");
                String indent = line.substring(0, line.indexOf(MARKER));
                switch (words[0]) {
                    case "header-begin" -> {
                        require(headers == 0 && !inHeader && guardIndent == null && words.length == 1, i, text);
                        inHeader = true;
                        headers++;
                    }
                    case "header-end" -> {
                        require(inHeader && words.length == 1, i, text);
                        inHeader = false;
                        out.append(HEADER);
                    }
                    case "guard-begin" -> {
                        require(guards == 0 && !inHeader && guardIndent == null && words.length == 1, i, text);
                        guardIndent = indent;
                        guards++;
                        out.append(indent).append("// Unmetered: only check sites have a FUEL header; charge the")
                                .append(" countdown there.\n")
                                .append(indent).append("if (code[pc] == Op.FUEL) {\n");
                    }
                    case "guard-end" -> {
                        require(guardIndent != null && words.length == 1, i, text);
                        out.append(guardIndent).append("}\n");
                        guardIndent = null;
                    }
                    case "rename" -> {
                        require(words.length == 3 && i + 1 < lines.size() && rename == null, i, text);
                        rename = new String[] {words[1] + "(", words[2] + "("};
                    }
                    default -> require(false, i, text);
                }
                continue;
            }
            if (inHeader) {
                continue;
            }
            if (rename != null) {
                require(line.contains(rename[0]), i - 1, "rename " + rename[0] + " (not on the next line)");
                line = line.replace(rename[0], rename[1]);
                rename = null;
            }
            if (guardIndent != null && !line.isEmpty()) {
                line = "    " + line;
            }
            out.append(line).append('\n');
        }
        if (headers != 1 || guards != 1 || inHeader || guardIndent != null) {
            throw new IllegalArgumentException("Dispatch.java needs exactly one " + MARKER + "header-begin/end pair"
                    + " and one guard-begin/end pair, each closed");
        }
        return out.toString();
    }

    private static void require(boolean ok, int line, String marker) {
        if (!ok) {
            throw new IllegalArgumentException("Dispatch.java line " + (line + 1) + ": unexpected marker '" + marker
                    + "' (see UnmeteredDispatchGenerator)");
        }
    }
}
