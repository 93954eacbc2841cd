package dev.cella.sandbox.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates deterministic guest programs in Cella assembly from a seed, for checkpoint
 * properties. Every program exercises what a checkpoint must carry: it opens a file in the
 * in-memory filesystem (in a start function or at the top of {@code _start}), then loops, each
 * iteration computing a value through generated functions (direct and indirect calls, a recursion
 * of varying depth, inner loops, integer and float arithmetic), keeping an array in memory and an
 * accumulator in a global, and now and then printing the accumulator to stdout and appending it to
 * the file. Some programs read the random source or the clock, or grow memory, at one iteration.
 * At the end each prints the file back (seek to 0, read in chunks) and returns or exits with a
 * status from the accumulator.
 *
 * <p>Memory: 0 iovec, 8 byte count, 16..48 digits, 64 scratch, 128 the file name, 256.. a read
 * buffer, 4096.. the array (512 i64 slots); a grown page is written at its own offset.
 */
public final class GuestGenerator {
    /** A program and how it was made (for failure messages). */
    public record Program(long seed, String source, String summary) {
        @Override
        public String toString() {
            return "program " + seed + " (" + summary + ")";
        }
    }

    private final Random random;
    private final StringBuilder out = new StringBuilder();
    private final List<String> summary = new ArrayList<>();

    private GuestGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** The program of {@code seed}. */
    public static Program generate(long seed) {
        GuestGenerator g = new GuestGenerator(seed);
        g.program();
        return new Program(seed, g.out.toString(), String.join(", ", g.summary));
    }

    private int between(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    private void line(String s) {
        out.append(s).append('\n');
    }

    private void program() {
        int mixes = between(1, 4);
        boolean start = random.nextBoolean();
        // Now and then a long run, whose fuel crosses the interpreter's 65,536-unit refills.
        int iterations = random.nextInt(6) == 0 ? between(300, 700) : between(8, 90);
        int every = between(1, 6);
        int rand = random.nextInt(3) == 0 ? between(0, iterations - 1) : -1;
        int clock = random.nextInt(3) == 0 ? between(0, iterations - 1) : -1;
        int grow = random.nextInt(3) == 0 ? between(0, iterations - 1) : -1;
        boolean exit = random.nextBoolean();
        summary.add(mixes + " mix functions");
        summary.add(iterations + " iterations, printing every " + every);
        summary.add(start ? "file opened in a start function" : "file opened in _start");
        if (rand >= 0) {
            summary.add("random at " + rand);
        }
        if (clock >= 0) {
            summary.add("clock at " + clock);
        }
        if (grow >= 0) {
            summary.add("grows at " + grow);
        }
        summary.add(exit ? "exits by proc_exit" : "returns");
        String w = "\"wasi_snapshot_preview1\"";
        line("import fd_write " + w + " \"fd_write\" (i32, i32, i32, i32) -> i32");
        line("import fd_read " + w + " \"fd_read\" (i32, i32, i32, i32) -> i32");
        line("import fd_seek " + w + " \"fd_seek\" (i32, i64, i32, i32) -> i32");
        line("import path_open " + w + " \"path_open\" (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32");
        line("import random_get " + w + " \"random_get\" (i32, i32) -> i32");
        line("import clock_time_get " + w + " \"clock_time_get\" (i32, i64, i32) -> i32");
        line("import proc_exit " + w + " \"proc_exit\" (i32) -> ()");
        line("memory 1");
        line("type mix (i64, i64) -> i64");
        List<String> names = new ArrayList<>();
        for (int j = 0; j < mixes; j++) {
            names.add("m" + j);
        }
        line("table ops " + mixes + " " + mixes);
        line("elem ops 0 [" + String.join(", ", names) + "]");
        line("global acc: i64 mut = " + random.nextInt(1_000_000));
        line("global logfd: i32 mut = -1");
        line("data 128 \"log.txt\"");
        line("export func main \"_start\"");
        if (start) {
            line("start init");
        }
        init(start ? between(0, 30) : 0);
        main(start, iterations, every, mixes, rand, clock, grow, exit);
        for (int j = 0; j < mixes; j++) {
            mix(j, mixes);
        }
        line(FIXED);
    }

    private void init(int warmup) {
        line("func init() {");
        line("    reg dirfd: i32, dirflags: i32, path: i32, len: i32, oflags: i32, rights: i64, zero: i32, out: i32,"
                + " errno: i32, fd: i32, i: i32, n: i32, one: i32, v: i64, a: i64");
        line("    i32.const dirfd, 3");
        line("    i32.const path, 128");
        line("    i32.const len, 7");
        line("    i32.const oflags, 9");
        line("    i64.const rights, 0x66");
        line("    i32.const out, 64");
        line("    call path_open, (dirfd, dirflags, path, len, oflags, rights, rights, zero, out), (errno)");
        line("    br_if errno, failed");
        line("    i32.load fd, out");
        line("    i32.global_set logfd, fd");
        line("    i32.const n, " + warmup);
        line("    i32.const one, 1");
        line("warm:");
        line("    i32.br_ge_u i, n, warmed");
        line("    i64.extend_i32_u v, i");
        line("    i64.global_get a, acc");
        line("    call m0, (v, a), (v)");
        line("    i64.add a, a, v");
        line("    i64.global_set acc, a");
        line("    i32.add i, i, one");
        line("    br warm");
        line("warmed:");
        line("    ret");
        line("failed:");
        line("    call proc_exit, (errno)");
        line("    unreachable");
        line("}");
    }

    private void main(boolean start, int iterations, int every, int mixes, int rand, int clock, int grow, boolean exit) {
        line("func main() {");
        line("    reg i: i32, n: i32, one: i32, every: i32, t: i32, nops: i32, sel: i32, slot: i32, mask: i32, eight: i32,"
                + " addr: i32, sixteen: i32, at: i32, v: i64, w: i64, a: i64");
        if (!start) {
            line("    call init");
        }
        line("    i32.const n, " + iterations);
        line("    i32.const one, 1");
        line("    i32.const every, " + every);
        line("    i32.const nops, " + mixes);
        line("    i32.const mask, 511");
        line("    i32.const eight, 8");
        line("    i32.const sixteen, 16");
        line("loop:");
        line("    i32.br_ge_u i, n, done");
        line("    i64.extend_i32_u v, i");
        line("    i64.global_get a, acc");
        line("    call m0, (v, a), (v)");
        line("    i32.rem_u sel, i, nops");
        line("    call_indirect mix, ops, sel, (v, a), (v)");
        line("    i32.and slot, i, mask");
        line("    i32.mul addr, slot, eight");
        line("    i64.load w, addr, 4096");
        line("    i64.add w, w, v");
        line("    i64.store addr, 4096, w");
        line("    i64.xor a, a, w");
        line("    i64.global_set acc, a");
        feature("rand", rand, "    call rand_mix");
        feature("clock", clock, "    call clock_mix");
        feature("grow", grow, "    memory.grow t, one\n    i32.shl at, t, sixteen\n    i64.global_get a, acc\n"
                + "    i64.store at, 8, a");
        line("    i32.rem_u t, i, every");
        line("    br_if t, next");
        line("    call print_acc");
        line("next:");
        line("    i32.add i, i, one");
        line("    br loop");
        line("done:");
        line("    call print_acc");
        line("    call dump_log");
        if (exit) {
            line("    i64.global_get a, acc");
            line("    i32.wrap_i64 t, a");
            line("    i32.const mask, 127");
            line("    i32.and t, t, mask");
            line("    call proc_exit, (t)");
            line("    unreachable");
        } else {
            line("    ret");
        }
        line("}");
    }

    /** Code run at iteration {@code at} only (nothing if it is -1). */
    private void feature(String name, int at, String code) {
        if (at < 0) {
            return;
        }
        line("    i32.const t, " + at);
        line("    i32.br_ne i, t, no_" + name);
        line(code);
        line("no_" + name + ":");
    }

    /** A mix function: a random sequence of operations on a and b, returning a. */
    private void mix(int j, int mixes) {
        line("func m" + j + "(a: i64, b: i64) -> i64 {");
        line("    reg c: i64, d: f64, e: f64, t: i64, depth: i32, dmask: i32, k: i32, one: i32");
        int ops = between(2, 8);
        for (int o = 0; o < ops; o++) {
            switch (random.nextInt(9)) {
                case 0 -> line("    i64.add a, a, b");
                case 1 -> line("    i64.mul a, a, b");
                case 2 -> line("    i64.xor a, a, b");
                case 3 -> {
                    line("    i64.const c, " + (random.nextInt(63) + 1));
                    line("    i64.rotl a, a, c");
                }
                case 4 -> {
                    line("    i64.const c, " + random.nextInt(1 << 20));
                    line("    i64.sub a, a, c");
                }
                case 5 -> {
                    line("    f64.convert_i64_s d, a");
                    line("    f64.sqrt e, d");
                    line("    f64.mul d, d, e");
                    line("    i64.trunc_sat_f64_s t, d");
                    line("    i64.xor a, a, t");
                }
                case 6 -> {
                    line("    i32.wrap_i64 depth, b");
                    line("    i32.const dmask, " + (random.nextBoolean() ? 15 : 31));
                    line("    i32.and depth, depth, dmask");
                    line("    call rec, (depth, a), (a)");
                }
                case 7 -> {
                    String l = "inner" + o;
                    line("    i32.const k, " + between(1, 12));
                    line("    i32.const one, 1");
                    line(l + ":");
                    line("    i64.add a, a, b");
                    line("    i64.const c, 7");
                    line("    i64.rotl b, b, c");
                    line("    i32.sub k, k, one");
                    line("    br_if k, " + l);
                }
                default -> {
                    if (j + 1 < mixes) {
                        line("    call m" + (j + 1) + ", (a, b), (a)");
                    } else {
                        line("    i64.or a, a, b");
                    }
                }
            }
        }
        line("    ret a");
        line("}");
    }

    /** The functions every program has. */
    private static final String FIXED = """
            func rec(d: i32, x: i64) -> i64 {
                reg one: i32, three: i64, y: i64, e: i64
                br_unless d, base
                i64.const three, 3
                i64.mul x, x, three
                i64.extend_i32_u e, d
                i64.add x, x, e
                i32.const one, 1
                i32.sub d, d, one
                call rec, (d, x), (y)
                i64.xor y, y, e
                ret y
            base:
                ret x
            }

            func rand_mix() {
                reg p: i32, len: i32, errno: i32, r: i64, a: i64
                i32.const p, 64
                i32.const len, 8
                call random_get, (p, len), (errno)
                i64.load r, p
                i64.global_get a, acc
                i64.xor a, a, r
                i64.global_set acc, a
                ret
            }

            func clock_mix() {
                reg id: i32, precision: i64, p: i32, errno: i32, r: i64, a: i64
                i32.const id, 1
                i32.const p, 64
                call clock_time_get, (id, precision, p), (errno)
                i64.load r, p
                i64.global_get a, acc
                i64.xor a, a, r
                i64.global_set acc, a
                ret
            }

            ; Prints acc as an unsigned decimal number and a newline on stdout and in the file.
            func print_acc() {
                reg v: i64, p: i32, end: i32, one: i32, nl: i32, ascii0: i32, d: i32, len: i32, fd: i32, errno: i32, ten: i64, z: i64, digit: i64
                i64.global_get v, acc
                i32.const end, 48
                i32.const one, 1
                i32.sub p, end, one
                i32.const nl, 10
                i32.store8 p, 0, nl
                i32.const ascii0, 48
                i64.const ten, 10
            digits:
                i32.sub p, p, one
                i64.rem_u digit, v, ten
                i32.wrap_i64 d, digit
                i32.add d, d, ascii0
                i32.store8 p, 0, d
                i64.div_u v, v, ten
                i64.br_ne v, z, digits
                i32.sub len, end, p
                i32.const fd, 1
                call write_all, (fd, p, len), (errno)
                i32.global_get fd, logfd
                call write_all, (fd, p, len), (errno)
                ret
            }

            ; Prints the file from its start on stdout, 100 bytes at a time.
            func dump_log() {
                reg fd: i32, off: i64, whence: i32, res: i32, errno: i32, iov: i32, buf: i32, cap: i32, cnt: i32, nread: i32, n: i32, out: i32
                i32.global_get fd, logfd
                i32.const res, 64
                call fd_seek, (fd, off, whence, res), (errno)
                i32.const buf, 256
                i32.const cap, 100
                i32.const cnt, 1
                i32.const nread, 8
                i32.const out, 1
            more:
                i32.store iov, 0, buf
                i32.store iov, 4, cap
                call fd_read, (fd, iov, cnt, nread), (errno)
                i32.load n, nread
                br_unless n, end
                call write_all, (out, buf, n), (errno)
                br more
            end:
                ret
            }

            ; Writes len bytes from ptr to fd, continuing after short writes; returns the errno.
            func write_all(fd: i32, ptr: i32, len: i32) -> i32 {
                reg iov: i32, count: i32, nwritten: i32, errno: i32, done: i32, zero: i32
                i32.const count, 1
                i32.const nwritten, 8
            more:
                i32.br_eq len, zero, finished
                i32.store iov, 0, ptr
                i32.store iov, 4, len
                call fd_write, (fd, iov, count, nwritten), (errno)
                br_if errno, failed
                i32.load done, nwritten
                br_unless done, stuck
                i32.add ptr, ptr, done
                i32.sub len, len, done
                br more
            finished:
                ret zero
            failed:
                ret errno
            stuck:
                i32.const errno, 29
                ret errno
            }
            """;
}
