package dev.cella.wasm;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A random structured Wasm function over i32 values, with a reference evaluator: expressions
 * nest operators, local reads, local.tee, select, blocks left early by br_if, if/else with
 * results, and bounded loops, so the translator's deferred local reads, stack slots, branch
 * value copies and hoisted constants meet in many combinations. Evaluation order and semantics
 * are Wasm's, so the evaluator's result is what the translated function must return.
 *
 * <p>Locals 0 to 2 are the parameters, 3 and 4 data locals; loops count down private locals
 * from 5 on, which nothing else writes.
 */
final class RandomProgram {
    static final int PARAMS = 3;
    static final int DATA_LOCALS = 5;
    static final int MAX_LOOPS = 4;

    private interface Node {
        /** Appends the Wasm encoding. */
        void emit(ByteArrayOutputStream out);

        /** Evaluates; statements return 0. */
        int eval(int[] locals);
    }

    private final Random random;
    private int loops;
    private final Node body;
    private final Node result;

    RandomProgram(long seed) {
        this.random = new Random(seed);
        List<Node> statements = new ArrayList<>();
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
            statements.add(statement(3));
        }
        this.body = sequence(statements);
        this.result = expr(4);
    }

    /** Number of locals besides the parameters (data locals and loop counters). */
    int extraLocals() {
        return DATA_LOCALS - PARAMS + MAX_LOOPS;
    }

    /** The function body's code (without local declarations), ending with END. */
    byte[] code() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.emit(out);
        result.emit(out);
        for (int l = 0; l < DATA_LOCALS; l++) {
            out.write(0x20);
            out.write(l);
            out.write(0x73); // i32.xor
        }
        out.write(0x0B);
        return out.toByteArray();
    }

    /** What the function returns for {@code args}. */
    int run(int... args) {
        int[] locals = new int[DATA_LOCALS + MAX_LOOPS];
        System.arraycopy(args, 0, locals, 0, PARAMS);
        body.eval(locals);
        int r = result.eval(locals);
        for (int l = 0; l < DATA_LOCALS; l++) {
            r ^= locals[l];
        }
        return r;
    }

    private static Node sequence(List<Node> nodes) {
        return new Node() {
            public void emit(ByteArrayOutputStream out) {
                nodes.forEach(n -> n.emit(out));
            }

            public int eval(int[] locals) {
                nodes.forEach(n -> n.eval(locals));
                return 0;
            }
        };
    }

    private static void leb(ByteArrayOutputStream out, long v) {
        out.writeBytes(WasmBinary.sleb(v));
    }

    private Node statement(int depth) {
        int choice = random.nextInt(depth <= 0 ? 2 : 5);
        switch (choice) {
            case 0 -> {
                int l = random.nextInt(DATA_LOCALS);
                Node e = expr(depth);
                return node(out -> {
                    e.emit(out);
                    out.write(0x21);
                    out.write(l);
                }, locals -> {
                    locals[l] = e.eval(locals);
                    return 0;
                });
            }
            case 1 -> {
                Node e = expr(depth);
                return node(out -> {
                    e.emit(out);
                    out.write(0x1A);
                }, e::eval);
            }
            case 2 -> {
                Node c = expr(depth - 1);
                Node t = statement(depth - 1);
                Node f = statement(depth - 1);
                return node(out -> {
                    c.emit(out);
                    out.write(0x04);
                    out.write(0x40);
                    t.emit(out);
                    out.write(0x05);
                    f.emit(out);
                    out.write(0x0B);
                }, locals -> c.eval(locals) != 0 ? t.eval(locals) : f.eval(locals));
            }
            case 3 -> {
                if (loops == MAX_LOOPS) {
                    return statement(0);
                }
                int counter = DATA_LOCALS + loops++;
                int times = 1 + random.nextInt(3);
                Node s = statement(depth - 1);
                return node(out -> {
                    out.write(0x41);
                    leb(out, times);
                    out.write(0x21);
                    out.write(counter);
                    out.write(0x03);
                    out.write(0x40);
                    s.emit(out);
                    out.writeBytes(new byte[] {0x20, (byte) counter, 0x41, 0x01, 0x6B, 0x22, (byte) counter, 0x0D, 0x00, 0x0B});
                }, locals -> {
                    locals[counter] = times;
                    do {
                        s.eval(locals);
                        locals[counter]--;
                    } while (locals[counter] != 0);
                    return 0;
                });
            }
            default -> {
                List<Node> two = List.of(statement(depth - 1), statement(depth - 1));
                Node seq = sequence(two);
                return node(out -> {
                    out.write(0x02);
                    out.write(0x40);
                    seq.emit(out);
                    out.write(0x0B);
                }, seq::eval);
            }
        }
    }

    private static final int[] BINARY = {0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x76, 0x77, 0x48, 0x46, 0x4B};

    private static int binary(int op, int a, int b) {
        return switch (op) {
            case 0x6A -> a + b;
            case 0x6B -> a - b;
            case 0x6C -> a * b;
            case 0x71 -> a & b;
            case 0x72 -> a | b;
            case 0x73 -> a ^ b;
            case 0x74 -> a << b;
            case 0x76 -> a >>> b;
            case 0x77 -> Integer.rotateLeft(a, b);
            case 0x48 -> a < b ? 1 : 0;
            case 0x46 -> a == b ? 1 : 0;
            case 0x4B -> Integer.compareUnsigned(a, b) > 0 ? 1 : 0;
            default -> throw new IllegalArgumentException();
        };
    }

    private Node expr(int depth) {
        int choice = random.nextInt(depth <= 0 ? 2 : 9);
        switch (choice) {
            case 0 -> {
                int k = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(9) - 2;
                return node(out -> {
                    out.write(0x41);
                    leb(out, k);
                }, locals -> k);
            }
            case 1 -> {
                int l = random.nextInt(DATA_LOCALS);
                return node(out -> {
                    out.write(0x20);
                    out.write(l);
                }, locals -> locals[l]);
            }
            case 2, 3 -> {
                int op = BINARY[random.nextInt(BINARY.length)];
                Node a = expr(depth - 1);
                Node b = expr(depth - 1);
                return node(out -> {
                    a.emit(out);
                    b.emit(out);
                    out.write(op);
                }, locals -> {
                    int x = a.eval(locals);
                    return binary(op, x, b.eval(locals));
                });
            }
            case 4 -> {
                int l = random.nextInt(DATA_LOCALS);
                Node e = expr(depth - 1);
                return node(out -> {
                    e.emit(out);
                    out.write(0x22);
                    out.write(l);
                }, locals -> locals[l] = e.eval(locals));
            }
            case 5 -> {
                Node a = expr(depth - 1);
                Node b = expr(depth - 1);
                Node c = expr(depth - 1);
                return node(out -> {
                    a.emit(out);
                    b.emit(out);
                    c.emit(out);
                    out.write(0x1B);
                }, locals -> {
                    int x = a.eval(locals);
                    int y = b.eval(locals);
                    return c.eval(locals) != 0 ? x : y;
                });
            }
            case 6 -> {
                // block (result i32) value cond br_if 0 drop fallthrough end
                Node value = expr(depth - 1);
                Node cond = expr(depth - 1);
                Node fallthrough = expr(depth - 1);
                return node(out -> {
                    out.write(0x02);
                    out.write(0x7F);
                    value.emit(out);
                    cond.emit(out);
                    out.write(0x0D);
                    out.write(0x00);
                    out.write(0x1A);
                    fallthrough.emit(out);
                    out.write(0x0B);
                }, locals -> {
                    int v = value.eval(locals);
                    return cond.eval(locals) != 0 ? v : fallthrough.eval(locals);
                });
            }
            case 7 -> {
                Node cond = expr(depth - 1);
                Node then = expr(depth - 1);
                Node otherwise = expr(depth - 1);
                return node(out -> {
                    cond.emit(out);
                    out.write(0x04);
                    out.write(0x7F);
                    then.emit(out);
                    out.write(0x05);
                    otherwise.emit(out);
                    out.write(0x0B);
                }, locals -> cond.eval(locals) != 0 ? then.eval(locals) : otherwise.eval(locals));
            }
            default -> {
                // A statement then a value, in a block: the statement may write locals read before it.
                Node before = expr(depth - 1);
                Node s = statement(depth - 1);
                return node(out -> {
                    before.emit(out);
                    out.write(0x02);
                    out.write(0x40);
                    s.emit(out);
                    out.write(0x0B);
                }, locals -> {
                    int v = before.eval(locals);
                    s.eval(locals);
                    return v;
                });
            }
        }
    }

    private interface Emitter {
        void emit(ByteArrayOutputStream out);
    }

    private interface Evaluator {
        int eval(int[] locals);
    }

    private static Node node(Emitter emitter, Evaluator evaluator) {
        return new Node() {
            public void emit(ByteArrayOutputStream out) {
                emitter.emit(out);
            }

            public int eval(int[] locals) {
                return evaluator.eval(locals);
            }
        };
    }
}
