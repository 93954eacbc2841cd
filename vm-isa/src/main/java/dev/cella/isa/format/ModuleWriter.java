package dev.cella.isa.format;

import dev.cella.isa.ValType;
import dev.cella.isa.code.ByteOutput;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import dev.cella.isa.module.TableImport;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Encodes a {@link Module} as a guest binary ({@code .cel}), the inverse of {@link ModuleReader}.
 * The layout is specified in {@code docs/binary-format.md}.
 *
 * <p>The output is canonical: sections in id order, empty sections left out, every LEB128 in its
 * shortest form, names sorted by index and default names ({@code f3}, {@code r2}, {@code g0})
 * left out. So {@code write(read(write(m)))} equals {@code write(m)}.
 *
 * <p>The writer does not verify the module (indices may be out of range, bodies need not pass
 * the verifier) and copies function bodies as they are; it only refuses values the format
 * cannot represent, which a reader would otherwise see changed.
 */
public final class ModuleWriter {
    private final ByteOutput out = new ByteOutput();

    private ModuleWriter() {}

    /**
     * Encodes {@code module}.
     *
     * <p>Preconditions: every index, offset and limit is representable, i.e. indices are
     * non-negative ints, limits, segment offsets and the start index fit an unsigned 32-bit
     * number ({@link Limits#NONE} as a maximum and -1 as the start meaning "none"), a function
     * declares at most {@link CodeReader#MAX_REGISTERS} registers, a global's initial bits are
     * those of its type (an i32 sign-extended, an f32 zero-extended), and every string is valid
     * Unicode (no unpaired surrogate). Function bodies are copied verbatim; they should be well
     * formed (see {@link dev.cella.isa.code.CodeWriter}) or the reader will reject the result.
     *
     * @return the binary; a new array
     * @throws IllegalArgumentException if a precondition above does not hold, naming the value
     * @throws NullPointerException if a list, element or string of the module is null
     */
    public static byte[] write(Module module) {
        ModuleWriter w = new ModuleWriter();
        w.out.fixed32(Section.MAGIC).fixed32(Section.VERSION);
        w.module(module);
        return w.out.toByteArray();
    }

    private void module(Module m) {
        if (!m.types().isEmpty()) {
            section(Section.TYPE, p -> {
                p.u32(m.types().size());
                for (FuncType t : m.types()) {
                    // The declared form: a v128 pair is one v128 (0x7B), as in Wasm.
                    valTypes(p, t.declaredParams());
                    valTypes(p, t.declaredResults());
                }
            });
        }
        if (!m.imports().isEmpty()) {
            section(Section.IMPORT, p -> {
                p.u32(m.imports().size());
                for (Import i : m.imports()) {
                    name(p, i.module());
                    name(p, i.name());
                    p.u32(index(i.typeIndex(), "import type index"));
                }
            });
        }
        if (!m.tables().isEmpty()) {
            section(Section.TABLE, p -> {
                p.u32(m.tables().size());
                for (int i = 0; i < m.tables().size(); i++) {
                    p.u8(m.tableType(i).code);
                    TableImport imp = m.tableImport(i);
                    Limits l = m.tables().get(i);
                    // Limits flag plus 2 for an imported table, whose names follow its limits.
                    p.u8((l.hasMax() ? 1 : 0) | (imp == null ? 0 : 2));
                    p.u32(u32(l.min(), "table minimum"));
                    if (l.hasMax()) {
                        p.u32(u32(l.max(), "table maximum"));
                    }
                    if (imp != null) {
                        name(p, imp.module());
                        name(p, imp.name());
                    }
                }
            });
        }
        if (m.memory() != null) {
            section(Section.MEMORY, p -> {
                p.u8(m.memoryImport() == null ? 0 : 1);
                limits(p, m.memory(), "memory");
                if (m.memoryImport() != null) {
                    name(p, m.memoryImport().module());
                    name(p, m.memoryImport().name());
                }
            });
        }
        if (!m.globals().isEmpty()) {
            section(Section.GLOBAL, p -> {
                p.u32(m.globals().size());
                for (int i = 0; i < m.globals().size(); i++) {
                    global(p, m.globals().get(i), i);
                }
            });
        }
        if (!m.exports().isEmpty()) {
            section(Section.EXPORT, p -> {
                p.u32(m.exports().size());
                for (Export e : m.exports()) {
                    name(p, e.name());
                    p.u8(e.kind().code);
                    p.u32(index(e.index(), "export index"));
                }
            });
        }
        if (m.start() != -1) {
            section(Section.START, p -> p.u32(index(m.start(), "start function index")));
        }
        if (!m.elements().isEmpty()) {
            section(Section.ELEMENT, p -> {
                p.u32(m.elements().size());
                for (ElementSegment e : m.elements()) {
                    p.u8(e.passive() ? 1 : 0);
                    if (!e.passive()) {
                        p.u32(index(e.table(), "element table index"));
                        p.u32(u32(e.offset(), "element offset"));
                    }
                    p.u32(e.functions().length);
                    for (int f : e.functions()) {
                        p.u32(u32(f + 1L, "element function index")); // null (-1) is 0
                    }
                }
            });
        }
        if (!m.functions().isEmpty()) {
            section(Section.CODE, p -> {
                p.u32(m.functions().size());
                for (int i = 0; i < m.functions().size(); i++) {
                    function(p, m.functions().get(i), m.imports().size() + i);
                }
            });
        }
        if (!m.data().isEmpty()) {
            section(Section.DATA, p -> {
                p.u32(m.data().size());
                for (DataSegment d : m.data()) {
                    p.u32(u32(d.offset(), "data offset"));
                    p.u32(d.bytes().length);
                    p.bytes(d.bytes());
                }
            });
        }
        names(m.names());
    }

    /** Appends section {@code s} with the payload {@code body} writes: id, size, payload. */
    private void section(Section s, Consumer<ByteOutput> body) {
        ByteOutput payload = new ByteOutput();
        body.accept(payload);
        out.u8(s.id);
        out.u32(payload.size());
        out.bytes(payload.toByteArray());
    }

    /**
     * Per function: {@code size:uLEB32} then a body of that many bytes: {@code type:uLEB32
     * count:uLEB32 count*(valtype:u8) code...}, where the code runs to the end of the body.
     */
    private static void function(ByteOutput p, Function f, int functionIndex) {
        if (f.registers().size() > CodeReader.MAX_REGISTERS) {
            throw new IllegalArgumentException("function " + functionIndex + " declares " + f.registers().size()
                    + " registers; the limit is " + CodeReader.MAX_REGISTERS);
        }
        ByteOutput body = new ByteOutput();
        body.u32(index(f.typeIndex(), "type index of function " + functionIndex));
        body.u32(f.registers().size());
        for (ValType t : f.registers()) {
            body.u8(t.code);
        }
        body.bytes(f.code());
        p.u32(body.size());
        p.bytes(body.toByteArray());
    }

    private static void global(ByteOutput p, Global g, int index) {
        p.u8(g.type().code);
        p.u8((g.mutable() ? 1 : 0) | (g.imported() ? 2 : 0));
        if (g.imported()) {
            name(p, g.importModule());
            name(p, g.importName());
            return;
        }
        long v = g.init();
        switch (g.type()) {
            case I32 -> {
                if (v != (int) v) {
                    throw new IllegalArgumentException("global " + index + ": i32 initial value 0x"
                            + Long.toHexString(v) + " is not a sign-extended int");
                }
                p.s32((int) v);
            }
            case I64, FUNCREF, EXTERNREF -> p.s64(v);
            case F32 -> {
                if ((v & 0xFFFFFFFFL) != v) {
                    throw new IllegalArgumentException("global " + index + ": f32 initial bits 0x"
                            + Long.toHexString(v) + " are not zero-extended 32-bit bits");
                }
                p.fixed32((int) v);
            }
            case F64 -> p.fixed64(v);
            case V128 -> throw new IllegalArgumentException("global " + index + " has type v128, an operand type only");
        }
    }

    /** Flag byte 0 then min, or flag byte 1 then min and max; each a uLEB32. */
    private static void limits(ByteOutput p, Limits l, String what) {
        p.u8(l.hasMax() ? 1 : 0);
        p.u32(u32(l.min(), what + " minimum"));
        if (l.hasMax()) {
            p.u32(u32(l.max(), what + " maximum"));
        }
    }

    private static void valTypes(ByteOutput p, List<ValType> types) {
        p.u32(types.size());
        for (ValType t : types) {
            p.u8(t.code);
        }
    }

    /**
     * The names section: function names, then register names grouped by function, then global
     * names; each map sorted by index, default names left out, the section left out if nothing
     * remains.
     */
    private void names(Names names) {
        Map<Integer, String> functions = withoutDefaults(names.functions(), "f");
        Map<Integer, String> globals = withoutDefaults(names.globals(), "g");
        var registers = new java.util.TreeMap<Integer, Map<Integer, String>>();
        names.registers().forEach((f, regs) -> {
            Map<Integer, String> kept = withoutDefaults(regs, "r");
            if (!kept.isEmpty()) {
                registers.put(index(f, "function index in register names"), kept);
            }
        });
        if (functions.isEmpty() && registers.isEmpty() && globals.isEmpty()) {
            return;
        }
        section(Section.NAMES, p -> {
            nameMap(p, functions, "function index in function names");
            p.u32(registers.size());
            registers.forEach((f, regs) -> {
                p.u32(f);
                nameMap(p, regs, "register index in register names");
            });
            nameMap(p, globals, "global index in global names");
        });
    }

    /** The entries of {@code names} whose name is not {@code prefix + index}, sorted by index. */
    private static Map<Integer, String> withoutDefaults(Map<Integer, String> names, String prefix) {
        var kept = new java.util.TreeMap<Integer, String>();
        names.forEach((i, n) -> {
            if (!n.equals(prefix + i)) {
                kept.put(i, n);
            }
        });
        return kept;
    }

    private static void nameMap(ByteOutput p, Map<Integer, String> names, String what) {
        p.u32(names.size());
        names.forEach((i, n) -> {
            p.u32(index(i, what));
            name(p, n);
        });
    }

    /** A length-prefixed UTF-8 string; refuses strings that UTF-8 cannot carry unchanged. */
    private static void name(ByteOutput p, String s) {
        ByteBuffer b;
        try {
            b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string " + quoted(s) + " is not valid Unicode (unpaired surrogate)");
        }
        p.u32(b.remaining());
        p.bytes(b.array(), b.arrayOffset() + b.position(), b.remaining());
    }

    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> sb.append(c < 0x20 || (c >= 0xD800 && c <= 0xDFFF)
                ? String.format("\\u%04x", c) : Character.toString(c)));
        return sb.append('"').toString();
    }

    private static int index(int v, String what) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " " + v + " is negative");
        }
        return v;
    }

    private static long u32(long v, String what) {
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(what + " " + v + " does not fit an unsigned 32-bit number");
        }
        return v;
    }
}
