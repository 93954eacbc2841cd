package dev.cella.tools;

import dev.cella.isa.CellaException;
import dev.cella.isa.ValType;
import dev.cella.isa.code.ByteInput;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.format.Section;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import java.util.ArrayList;
import java.util.Formatter;
import java.util.List;

/**
 * The text that {@code cella verify} and {@code cella inspect} print about a module. Works on
 * modules that have not been verified: indices that point nowhere are shown as they are and a
 * body that cannot be decoded is reported in its line instead of failing the whole report.
 */
final class ModuleReport {
    private ModuleReport() {}

    /** One section of a binary as laid out in the file: where its payload starts and its size. */
    record SectionExtent(Section section, int id, long headerOffset, long payloadOffset, long size) {}

    /** The instruction count of a body, or the problem that stopped decoding it. */
    private record CodeCount(int instructions, String problem) {}

    /**
     * A one-line summary: counts of types, functions, instructions, code bytes, memory, globals,
     * tables, segments and exports.
     */
    static String summary(Module m) {
        long codeBytes = 0;
        long instructions = 0;
        for (Function f : m.functions()) {
            codeBytes += f.code().length;
            instructions += countInstructions(f).instructions();
        }
        return plural(m.types().size(), "type") + ", "
                + plural(m.functionCount(), "function") + " (" + m.imports().size() + " imported, "
                + m.functions().size() + " defined; " + plural(instructions, "instruction") + " in "
                + plural(codeBytes, "code byte") + "), "
                + (m.memory() == null ? "no memory" : "memory " + limits(m.memory(), "page")) + ", "
                + plural(m.globals().size(), "global") + ", " + plural(m.tables().size(), "table") + ", "
                + plural(m.elements().size(), "element segment") + ", "
                + plural(m.data().size(), "data segment") + ", " + plural(m.exports().size(), "export");
    }

    /**
     * The full description printed by {@code cella inspect}.
     *
     * @param name the file name as given
     * @param loaded the module and how it was read
     * @param binary the module's binary form: the file itself, or what the text assembles to
     */
    static String describe(String name, ModuleFiles.Loaded loaded, byte[] binary) {
        Module m = loaded.module();
        Formatter out = new Formatter(new StringBuilder());
        out.format("%s: %s, %d bytes%s%n", name, loaded.binary() ? "binary module" : "assembly text",
                loaded.bytes().length, loaded.binary() ? "" : " (" + binary.length + " bytes as binary)");

        out.format("%nsections: %s, of which the header takes %d%n", plural(binary.length, "byte"), Section.HEADER_SIZE);
        out.format("  %-10s %8s %8s %8s%n", "section", "offset", "payload", "size");
        for (SectionExtent s : sections(binary)) {
            out.format("  %-10s %8d %8d %8d%n", s.section() == null ? "id " + s.id() : s.section().title,
                    s.headerOffset(), s.payloadOffset(), s.size());
        }

        out.format("%ntypes: %d%n", m.types().size());
        for (int i = 0; i < m.types().size(); i++) {
            out.format("  t%-4d %s%n", i, m.types().get(i));
        }

        out.format("%nimports: %d%n", m.imports().size());
        for (int i = 0; i < m.imports().size(); i++) {
            Import imp = m.imports().get(i);
            out.format("  f%-4d %-24s \"%s\" \"%s\" %s%n", i, m.names().function(i), imp.module(), imp.name(),
                    typeText(m, imp.typeIndex()));
        }

        out.format("%nfunctions: %d (%d imported, %d defined)%n", m.functionCount(), m.imports().size(),
                m.functions().size());
        out.format("  %-5s %-24s %9s %6s %10s %12s  %s%n", "index", "name", "registers", "params", "code bytes",
                "instructions", "type");
        for (int i = m.imports().size(); i < m.functionCount(); i++) {
            Function f = m.function(i);
            CodeCount count = countInstructions(f);
            String params = m.types().size() > f.typeIndex() && f.typeIndex() >= 0
                    ? Integer.toString(m.types().get(f.typeIndex()).params().size()) : "?";
            out.format("  f%-4d %-24s %9d %6s %10d %12s  %s%n", i, m.names().function(i), f.registers().size(),
                    params, f.code().length,
                    count.problem() == null ? Integer.toString(count.instructions()) : "?",
                    typeText(m, f.typeIndex()) + (count.problem() == null ? "" : "  (" + count.problem() + ")"));
        }

        out.format("%nmemory: %s%n", m.memory() == null ? "none" : limits(m.memory(), "page")
                + " (" + m.memory().min() * Module.PAGE_SIZE + " bytes initially)");

        out.format("%nglobals: %d%n", m.globals().size());
        for (int i = 0; i < m.globals().size(); i++) {
            Global g = m.globals().get(i);
            out.format("  g%-4d %-24s %s%s = %s%n", i, m.names().global(i), g.type(), g.mutable() ? " mut" : "",
                    value(g.type(), g.init()));
        }

        out.format("%ntables: %d%n", m.tables().size());
        for (int i = 0; i < m.tables().size(); i++) {
            out.format("  tab%-2d %s%n", i, limits(m.tables().get(i), "element"));
        }

        out.format("%nelement segments: %d%n", m.elements().size());
        for (ElementSegment e : m.elements()) {
            out.format("  table %d at %d: %s%n", e.table(), e.offset(), plural(e.functions().length, "function"));
        }

        out.format("%ndata segments: %d%n", m.data().size());
        for (int i = 0; i < m.data().size(); i++) {
            DataSegment d = m.data().get(i);
            out.format("  d%-4d offset %d, %s%n", i, d.offset(), plural(d.bytes().length, "byte"));
        }

        out.format("%nexports: %d%n", m.exports().size());
        for (Export e : m.exports()) {
            out.format("  %-7s %-24s -> %s%n", e.kind().name().toLowerCase(java.util.Locale.ROOT),
                    "\"" + e.name() + "\"", target(m, e));
        }

        out.format("%nstart: %s%n", m.start() < 0 ? "none" : "f" + m.start() + " " + m.names().function(m.start()));
        return out.toString();
    }

    /**
     * The sections of {@code binary} in file order, read from their headers only (id and
     * size). Stops at the first header that cannot be read; the reader reports such damage.
     */
    static List<SectionExtent> sections(byte[] binary) {
        List<SectionExtent> result = new ArrayList<>();
        ByteInput in = new ByteInput(binary);
        if (binary.length < Section.HEADER_SIZE) {
            return result;
        }
        in.position(Section.HEADER_SIZE);
        try {
            while (in.hasRemaining()) {
                long header = in.offset();
                int id = in.u8();
                long size = in.u32();
                long payload = in.offset();
                result.add(new SectionExtent(Section.fromId(id), id, header, payload, size));
                if (size > in.remaining()) {
                    break;
                }
                in.position(in.position() + (int) size);
            }
        } catch (CellaException e) {
            // A truncated header ends the listing: the sections before it are still shown.
            return result;
        }
        return result;
    }

    private static CodeCount countInstructions(Function f) {
        CodeReader reader = new CodeReader(f.code(), 0);
        int n = 0;
        try {
            while (reader.hasNext()) {
                reader.next();
                n++;
            }
            return new CodeCount(n, null);
        } catch (CellaException e) {
            return new CodeCount(n, "undecodable at pc " + reader.pc());
        }
    }

    private static String typeText(Module m, int typeIndex) {
        return typeIndex >= 0 && typeIndex < m.types().size() ? m.types().get(typeIndex).toString()
                : "(type " + typeIndex + " does not exist)";
    }

    private static String target(Module m, Export e) {
        return switch (e.kind()) {
            case FUNC -> "f" + e.index() + (e.index() >= 0 && e.index() < m.functionCount()
                    ? " " + m.names().function(e.index()) : "");
            case GLOBAL -> "g" + e.index() + " " + m.names().global(e.index());
            case TABLE -> "tab" + e.index();
            case MEMORY -> "memory " + e.index();
        };
    }

    /** A global's initial value in the notation of its type. */
    static String value(ValType type, long bits) {
        return switch (type) {
            case I32 -> Integer.toString((int) bits);
            case I64, FUNCREF, EXTERNREF -> Long.toString(bits);
            case F32 -> Float.toString(Float.intBitsToFloat((int) bits));
            case F64 -> Double.toString(Double.longBitsToDouble(bits));
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    private static String limits(Limits l, String unit) {
        return "min " + plural(l.min(), unit) + ", max " + (l.hasMax() ? plural(l.max(), unit) : "none");
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
