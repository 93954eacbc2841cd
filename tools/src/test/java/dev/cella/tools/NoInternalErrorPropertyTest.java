package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (issue 13, "tests that must exist"): no run ends in exit 70 (a Cella bug), whatever the
 * program, its quotas, engine, arguments and input. Programs are the examples with their constants
 * replaced by edge values (valid programs that grow memory, index out of bounds, recurse deep or
 * loop long), with lines dropped (mostly assembly or verification errors), and byte-mutated
 * {@code .cel} and {@code .wasm} files (decoder and verifier paths). Fuel and a timeout bound every
 * run, so the property takes seconds; examples come from {@code cella.property.examples}.
 */
class NoInternalErrorPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 100);
    private static final String[] CASM = {"fib.casm", "sieve.casm", "args.casm", "cat-upper.casm", "hello.casm",
        "trap.casm"};
    /** Constants that reach edges: zero, signs, page and memory limits, the i32/i64 extremes. */
    private static final String[] EDGE = {"0", "1", "-1", "2", "7", "8", "255", "4096", "65535", "65536", "65537",
        "1048576", "16777216", "2147483647", "-2147483648", "4294967295", "9223372036854775807",
        "-9223372036854775808"};
    private static final Pattern CONST = Pattern.compile("(?m)^(\\s*(?:i32|i64)\\.const \\w+, )(-?\\d+)");

    @TempDir
    static Path tmp;
    private static final List<String> SOURCES = new ArrayList<>();
    private static byte[] cel;
    private static byte[] wasm;

    @BeforeAll
    static void readExamples() throws IOException {
        for (String name : CASM) {
            SOURCES.add(Files.readString(Path.of(CliRunner.example(name))));
        }
        Path out = tmp.resolve("fib.cel");
        CliRunner.Result asm = CliRunner.cella("asm", CliRunner.example("fib.casm"), "-o", out.toString());
        assertEquals(0, asm.code(), asm.toString());
        cel = Files.readAllBytes(out);
        wasm = Files.readAllBytes(Path.of(CliRunner.example("wasm/sortlines.wasm")));
    }

    @Test
    void noProgramQuotaEngineOrArgumentsEndsInAnInternalError() {
        qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Path program = program(r, seed);
            List<String> args = new ArrayList<>(List.of("run", "--fuel", Long.toString(r.nextInt(500_000)),
                    "--timeout", (50 + r.nextInt(250)) + "ms", "--engine", pick(r, "interp", "jit", "auto")));
            if (r.nextBoolean()) {
                args.addAll(List.of("--memory", pick(r, "0", "1", "64K", "65536", "1M", "16M")));
            }
            if (r.nextBoolean()) {
                args.addAll(List.of("--max-call-depth", Integer.toString(1 + r.nextInt(20_000))));
            }
            if (r.nextBoolean()) {
                args.addAll(List.of("--max-output", pick(r, "0", "1", "10", "4K")));
            }
            if (r.nextBoolean()) {
                args.addAll(List.of("--max-open-files", Integer.toString(r.nextInt(8))));
            }
            args.add(program.toString());
            for (int i = r.nextInt(4); i > 0; i--) {
                args.add(pick(r, "", "0", "25", "92", "93", "-1", "4294967296", "99999999999999999999", "x y", "é",
                        "\u0000", "a\u0000b", "/etc/passwd", "../../..", "/in/x", "%n%s"));
            }
            byte[] stdin = new byte[r.nextInt(300)];
            r.nextBytes(stdin);
            CliRunner.Result result = CliRunner.cellaWithInput(stdin, args.toArray(String[]::new));
            String what = "seed " + seed + ": cella " + String.join(" ", args) + "\n" + result;
            assertFalse(result.code() == ExitCode.INTERNAL.code && result.err().contains("cella: "), what);
            assertFalse(result.err().contains("at dev.cella") || result.err().contains("Exception in thread"), what);
        });
    }

    /** The program of this example, written to a file named after the seed. */
    private static Path program(Random r, long seed) {
        try {
            int kind = r.nextInt(10);
            if (kind < 6) {
                String source = constants(r, SOURCES.get(r.nextInt(SOURCES.size())));
                Path p = tmp.resolve(seed + ".casm");
                Files.writeString(p, kind == 5 ? dropLine(r, source) : source);
                return p;
            }
            boolean isCel = kind < 8;
            Path p = tmp.resolve(seed + (isCel ? ".cel" : ".wasm"));
            Files.write(p, mutate(r, isCel ? cel : wasm));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces a few integer constants with edge values. */
    private static String constants(Random r, String source) {
        Matcher m = CONST.matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = r.nextInt(6) == 0 ? EDGE[r.nextInt(EDGE.length)] : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String dropLine(Random r, String source) {
        String[] lines = source.split("\n", -1);
        int drop = r.nextInt(lines.length);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i != drop) {
                out.append(lines[i]).append('\n');
            }
        }
        return out.toString();
    }

    /** A copy with a few bytes changed, a byte run duplicated or the tail cut. */
    private static byte[] mutate(Random r, byte[] original) {
        byte[] b = original.clone();
        switch (r.nextInt(3)) {
            case 0 -> {
                for (int i = 1 + r.nextInt(4); i > 0; i--) {
                    b[r.nextInt(b.length)] = (byte) pick(r, 0, 0xff, 0x7f, 0x80, r.nextInt(256));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            default -> {
                int at = r.nextInt(b.length);
                int len = Math.min(1 + r.nextInt(16), b.length - at);
                byte[] longer = new byte[b.length + len];
                System.arraycopy(b, 0, longer, 0, at + len);
                System.arraycopy(b, at, longer, at + len, b.length - at);
                b = longer;
            }
        }
        return b;
    }

    private static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    private static int pick(Random r, int... options) {
        return options[r.nextInt(options.length)];
    }
}
