package dev.cella.vm.conformance;

import dev.cella.vm.conformance.Script.AssertGlobal;
import dev.cella.vm.conformance.Script.AssertRejected;
import dev.cella.vm.conformance.Script.AssertReturn;
import dev.cella.vm.conformance.Script.AssertTrap;
import dev.cella.vm.conformance.Script.Call;
import dev.cella.vm.conformance.Script.Command;
import dev.cella.vm.conformance.Script.FuelCheck;
import dev.cella.vm.conformance.Script.Invoke;
import dev.cella.vm.conformance.Script.ModuleCommand;
import dev.cella.vm.conformance.Script.Stage;
import dev.cella.vm.conformance.Script.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads conformance scripts ({@code .cst}); {@code docs/conformance.md} defines the format.
 *
 * <p>A script is line-oriented. Outside module blocks, {@code ;} starts a comment and every
 * non-empty line is one command. A module block runs from a line {@code (module} (or
 * {@code assert_invalid (module} and the like) to the next line that starts with {@code )}; the
 * lines between are Cella assembly, handed to the assembler untouched.
 */
public final class ScriptReader {
    private final String file;
    private final String[] lines;
    private final List<Command> commands = new ArrayList<>();
    /** 0-based index of the line being read. */
    private int at;

    private ScriptReader(String file, String text) {
        this.file = file;
        this.lines = text.split("\r?\n", -1);
    }

    /**
     * Parses a whole script.
     *
     * @param file the script's name, for messages and test names
     * @param text the script's text
     * @throws ScriptFormatException at the first malformed line, naming file and line
     */
    public static Script read(String file, String text) {
        ScriptReader r = new ScriptReader(file, text);
        r.readAll();
        return new Script(file, r.commands);
    }

    private void readAll() {
        for (at = 0; at < lines.length; at++) {
            String line = stripComment(lines[at]).strip();
            if (line.isEmpty()) {
                continue;
            }
            Tokens t = new Tokens(line);
            if (t.peekIs("(")) {
                t.expect("(");
                t.expect("module");
                t.expectEnd();
                int opened = at + 1;
                String source = readBlock(opened);
                t = new Tokens(closingRest());
                t.expectEnd();
                commands.add(new ModuleCommand(opened, "module", source));
                continue;
            }
            commands.add(command(t, line));
        }
    }

    private Command command(Tokens t, String line) {
        int lineNo = at + 1;
        String keyword = t.word("a command");
        for (Stage stage : Stage.values()) {
            if (stage.keyword.equals(keyword)) {
                t.expect("(");
                t.expect("module");
                t.expectEnd();
                String source = readBlock(lineNo);
                Tokens close = new Tokens(closingRest());
                String reason = close.string("the expected reason after ')'");
                close.expectEnd();
                return new AssertRejected(lineNo, keyword + " \"" + reason + "\"", stage, source, reason);
            }
        }
        return switch (keyword) {
            case "invoke" -> {
                Call call = call(t);
                t.expectEnd();
                yield new Invoke(lineNo, line, call);
            }
            case "assert_return" -> {
                Call call = call(t);
                List<Value> results = new ArrayList<>();
                if (t.peekIs("=")) {
                    t.expect("=");
                    results.add(value(t));
                    while (t.peekIs(",")) {
                        t.expect(",");
                        results.add(value(t));
                    }
                }
                FuelCheck fuel = FuelCheck.NONE;
                while (!t.atEnd()) {
                    fuel = fuelClause(t, fuel);
                }
                yield new AssertReturn(lineNo, line, call, results, fuel);
            }
            case "assert_trap" -> {
                Call call = call(t);
                String message = t.string("the trap message");
                int pc = -1;
                String function = null;
                FuelCheck fuel = FuelCheck.NONE;
                while (!t.atEnd()) {
                    if (t.peekIs("pc")) {
                        t.expect("pc");
                        pc = (int) number(t, "a pc", Integer.MAX_VALUE);
                    } else if (t.peekIs("in")) {
                        t.expect("in");
                        function = t.word("a function name");
                    } else {
                        fuel = fuelClause(t, fuel);
                    }
                }
                yield new AssertTrap(lineNo, line, call, message, pc, function, fuel);
            }
            case "assert_global" -> {
                String global = t.word("a global's export name");
                t.expect("=");
                Value v = value(t);
                t.expectEnd();
                yield new AssertGlobal(lineNo, line, global, v);
            }
            default -> throw error("unknown command '" + keyword
                    + "'; expected (module, invoke, assert_return, assert_trap, assert_global, "
                    + "assert_invalid, assert_malformed or assert_unlinkable");
        };
    }

    /** {@code [fuel N] NAME(V, ...)}. */
    private Call call(Tokens t) {
        long fuel = -1;
        String name = t.word("a function's export name");
        if (name.equals("fuel") && !t.peekIs("(")) {
            fuel = number(t, "a fuel budget", Long.MAX_VALUE);
            name = t.word("a function's export name");
        }
        t.expect("(");
        List<Value> args = new ArrayList<>();
        if (!t.peekIs(")")) {
            args.add(value(t));
            while (t.peekIs(",")) {
                t.expect(",");
                args.add(value(t));
            }
        }
        t.expect(")");
        return new Call(name, args, fuel);
    }

    private FuelCheck fuelClause(Tokens t, FuelCheck fuel) {
        String clause = t.word("a clause (pc, in, fuel_left or fuel_used)");
        return switch (clause) {
            case "fuel_left" -> new FuelCheck(number(t, "the fuel left", Long.MAX_VALUE), fuel.used());
            case "fuel_used" -> new FuelCheck(fuel.left(), number(t, "the fuel used", Long.MAX_VALUE));
            default -> throw error("unexpected '" + clause + "'; expected fuel_left N or fuel_used N"
                    + " (and, after assert_trap, pc N or in FUNC)");
        };
    }

    private Value value(Tokens t) {
        String text = t.word("a typed value");
        try {
            return Literal.value(text);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private long number(Tokens t, String what, long max) {
        String text = t.word(what);
        try {
            long v = Long.parseLong(text.replace("_", ""));
            if (v < 0 || v > max) {
                throw error(what + " must be in 0.." + max + ", found " + text);
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("expected " + what + " (a decimal number), found '" + text + "'");
        }
    }

    /**
     * Reads the lines after the opening line {@code openedLine} (1-based) up to the closing line,
     * leaving {@link #at} on the closing line.
     *
     * @return the block's text, preceded by one empty line per script line before it
     */
    private String readBlock(int openedLine) {
        StringBuilder source = new StringBuilder("\n".repeat(openedLine));
        for (at = openedLine; at < lines.length; at++) {
            if (stripComment(lines[at]).strip().startsWith(")")) {
                return source.toString();
            }
            source.append(lines[at]).append('\n');
        }
        at = openedLine - 1;
        throw error("module opened here is never closed: expected a line starting with ')'");
    }

    /** What follows the ')' on the closing line of a block. */
    private String closingRest() {
        return stripComment(lines[at]).strip().substring(1);
    }

    /** The line without its comment; a ';' inside a string does not start one. */
    private static String stripComment(String line) {
        boolean inString = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inString && c == '\\') {
                i++;
            } else if (c == '"') {
                inString = !inString;
            } else if (c == ';' && !inString) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private ScriptFormatException error(String reason) {
        return new ScriptFormatException(file, at + 1, reason);
    }

    /**
     * The tokens of one command line: punctuation {@code ( ) , =}, strings in double quotes
     * (escapes {@code \" \\ \n}), and words (every other run of non-blank characters).
     */
    private final class Tokens {
        private final List<String> items = new ArrayList<>();
        /** Parallel to items: true where the token was a quoted string. */
        private final List<Boolean> quoted = new ArrayList<>();
        private int next;

        Tokens(String line) {
            int i = 0;
            while (i < line.length()) {
                char c = line.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if ("(),=".indexOf(c) >= 0) {
                    add(String.valueOf(c), false);
                    i++;
                } else if (c == '"') {
                    i = quotedString(line, i + 1);
                } else {
                    int start = i;
                    while (i < line.length() && !Character.isWhitespace(line.charAt(i))
                            && "(),=\"".indexOf(line.charAt(i)) < 0) {
                        i++;
                    }
                    add(line.substring(start, i), false);
                }
            }
        }

        private int quotedString(String line, int from) {
            StringBuilder s = new StringBuilder();
            for (int i = from; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '"') {
                    add(s.toString(), true);
                    return i + 1;
                }
                if (c == '\\' && i + 1 < line.length()) {
                    char e = line.charAt(++i);
                    s.append(e == 'n' ? '\n' : e);
                } else {
                    s.append(c);
                }
            }
            throw error("string is not closed: expected '\"' before the end of the line");
        }

        private void add(String token, boolean isString) {
            items.add(token);
            quoted.add(isString);
        }

        boolean atEnd() {
            return next >= items.size();
        }

        boolean peekIs(String token) {
            return !atEnd() && !quoted.get(next) && items.get(next).equals(token);
        }

        void expect(String token) {
            if (!peekIs(token)) {
                throw error("expected '" + token + "', found " + describeNext());
            }
            next++;
        }

        void expectEnd() {
            if (!atEnd()) {
                throw error("unexpected " + describeNext() + " at the end of the line");
            }
        }

        String word(String what) {
            if (atEnd() || quoted.get(next) || "(),=".contains(items.get(next))) {
                throw error("expected " + what + ", found " + describeNext());
            }
            return items.get(next++);
        }

        String string(String what) {
            if (atEnd() || !quoted.get(next)) {
                throw error("expected " + what + " in double quotes, found " + describeNext());
            }
            return items.get(next++);
        }

        private String describeNext() {
            if (atEnd()) {
                return "the end of the line";
            }
            return quoted.get(next) ? "the string \"" + items.get(next) + "\"" : "'" + items.get(next) + "'";
        }
    }
}
