package dev.cella.isa.text;

import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a {@link Module} into Cella assembly text ({@code docs/assembly.md}) that the {@link
 * Assembler} reads back into a module with the same binary encoding.
 *
 * <p>The text lists every type first (so the assembler interns the signatures in the same
 * order), then imports, memory, tables, globals, exports, start, element and data segments, and
 * the functions. Names come from the module's names section, defaults where it has none. Branch
 * targets are printed as labels {@code L<pc>}, only where some branch targets them.
 *
 * <p>The round trip is exact for every module whose signatures are distinct and whose functions'
 * registers begin with their parameters' types (as in every verified module), and whose names
 * section names only existing items, with names distinct within their kind that are not the
 * default name of another index (as in every assembled module). For other modules the text is
 * still produced, with a comment where something cannot be expressed and default names where a
 * stored name cannot be kept.
 */
public final class Disassembler {
    private final Module module;
    private final StringBuilder out = new StringBuilder();
    private final String[] functionNames;
    private final String[] globalNames;

    private Disassembler(Module module) {
        this.module = module;
        this.functionNames = displayNames("f", module.functionCount(), module.names().functions());
        this.globalNames = displayNames("g", module.globals().size(), module.names().globals());
    }

    /**
     * Returns the text of {@code module}.
     *
     * @throws dev.cella.isa.FormatException if a function body cannot be decoded
     */
    public static String disassemble(Module module) {
        Disassembler d = new Disassembler(module);
        d.print();
        return d.out.toString();
    }

    private void print() {
        Module m = module;
        line("; Cella module: " + count(m.types().size(), "type") + ", " + count(m.imports().size(), "import") + ", "
                + count(m.functions().size(), "function"));
        List<FuncType> types = m.types();
        if (!types.isEmpty()) {
            line("");
        }
        for (int i = 0; i < types.size(); i++) {
            line("type t" + i + " " + signature(types.get(i)));
        }
        section(m.imports().isEmpty());
        for (int i = 0; i < m.imports().size(); i++) {
            Import im = m.imports().get(i);
            line("import " + functionName(i) + " " + quote(im.module()) + " " + quote(im.name()) + " "
                    + typeText(im.typeIndex()));
        }
        section(m.memory() == null && m.tables().isEmpty() && m.globals().isEmpty());
        if (m.memory() != null) {
            line("memory " + limits(m.memory()) + (m.memoryImport() == null ? ""
                    : " import " + quote(m.memoryImport().module()) + " " + quote(m.memoryImport().name())));
        }
        for (int i = 0; i < m.tables().size(); i++) {
            line("table tab" + i + " " + limits(m.tables().get(i))
                    + (m.tableType(i) == ValType.FUNCREF ? "" : " " + m.tableType(i))
                    + (m.tableImport(i) == null ? ""
                            : " import " + quote(m.tableImport(i).module()) + " " + quote(m.tableImport(i).name())));
        }
        for (int i = 0; i < m.globals().size(); i++) {
            Global g = m.globals().get(i);
            line("global " + globalName(i) + ": " + g.type() + (g.mutable() ? " mut" : "")
                    + (g.imported() ? " import " + quote(g.importModule()) + " " + quote(g.importName())
                            : " = " + literal(g.type(), g.init())));
        }
        section(m.exports().isEmpty() && m.start() < 0);
        for (Export e : m.exports()) {
            line("export " + switch (e.kind()) {
                case FUNC -> "func " + functionName(e.index()) + " ";
                case GLOBAL -> "global " + globalName(e.index()) + " ";
                case TABLE -> "table tab" + e.index() + " ";
                case MEMORY -> "memory ";
            } + quote(e.name()));
        }
        if (m.start() >= 0) {
            line("start " + functionName(m.start()));
        }
        section(m.elements().isEmpty() && m.data().isEmpty());
        for (ElementSegment e : m.elements()) {
            StringBuilder sb = new StringBuilder(e.passive() ? "elem [" : "elem tab" + e.table() + " " + e.offset() + " [");
            for (int j = 0; j < e.functions().length; j++) {
                int f = e.functions()[j];
                sb.append(j == 0 ? "" : ", ").append(f == -1 ? "null" : functionName(f));
            }
            line(sb.append(']').toString());
        }
        for (DataSegment d : m.data()) {
            line("data " + d.offset() + " " + Literals.quote(d.bytes()));
        }
        for (int i = 0; i < m.functions().size(); i++) {
            line("");
            function(m.imports().size() + i, m.functions().get(i));
        }
    }

    private void function(int index, Function f) {
        List<ValType> regs = f.registers();
        String[] regNames = displayNames("r", regs.size(), module.names().registers().getOrDefault(index, Map.of()));
        int typeIndex = f.typeIndex();
        FuncType type = typeIndex >= 0 && typeIndex < module.types().size() ? module.types().get(typeIndex) : null;
        List<ValType> params = type == null ? List.of() : type.params();
        if (type == null) {
            line("; type index " + typeIndex + " does not exist: the signature below is a placeholder");
        } else if (regs.size() < params.size() || !regs.subList(0, params.size()).equals(params)) {
            line("; the registers " + regs + " do not begin with the parameters " + params);
        }
        StringBuilder head = new StringBuilder("func ").append(functionName(index)).append('(');
        for (int i = 0; i < params.size(); i++) {
            boolean vector = type.isVectorAt(i);
            head.append(i == 0 ? "" : ", ").append(reg(regNames, i)).append(": ")
                    .append(vector ? ValType.V128 : params.get(i));
            if (vector && ++i < regNames.length) {
                // The pair's second register has no name in the head: the body uses its default.
                regNames[i] = "r" + i;
            }
        }
        head.append(')');
        if (type != null && !type.results().isEmpty()) {
            head.append(" -> ").append(results(type.declaredResults()));
        }
        line(head.append(" {").toString());
        // reg lines of about 100 columns at most (a single long name may exceed it).
        StringBuilder regLine = new StringBuilder();
        for (int i = Math.min(params.size(), regs.size()); i < regs.size(); i++) {
            String decl = regNames[i] + ": " + regs.get(i);
            if (regLine.length() > 0 && regLine.length() + 2 + decl.length() > 100) {
                line(regLine.toString());
                regLine.setLength(0);
            }
            regLine.append(regLine.length() == 0 ? "    reg " : ", ").append(decl);
        }
        if (regLine.length() > 0) {
            line(regLine.toString());
        }
        body(f.code(), regNames);
        line("}");
    }

    private void body(byte[] code, String[] regNames) {
        List<Instruction> insns = new ArrayList<>();
        CodeReader reader = new CodeReader(code, 0);
        while (reader.hasNext()) {
            insns.add(reader.next());
        }
        // A target becomes a label only where a label line can stand: at an instruction or the end.
        Set<Long> starts = new HashSet<>();
        for (Instruction in : insns) {
            starts.add((long) in.pc());
        }
        starts.add((long) code.length);
        Set<Long> targets = new HashSet<>();
        for (Instruction in : insns) {
            for (int i = 0; i < in.operands().length; i++) {
                if (in.kind(i) == OperandKind.LABEL) {
                    targets.add(in.operands()[i]);
                } else if (in.kind(i) == OperandKind.LABELS) {
                    for (int t : in.list(i)) {
                        targets.add(Integer.toUnsignedLong(t));
                    }
                }
            }
        }
        targets.retainAll(starts);
        for (Instruction in : insns) {
            if (targets.contains((long) in.pc())) {
                line("L" + in.pc() + ":");
            }
            line("    " + instruction(in, regNames, targets));
        }
        if (targets.contains((long) code.length)) {
            line("L" + code.length + ":");
        }
    }

    private String instruction(Instruction in, String[] regNames, Set<Long> labels) {
        List<Operand> kinds = in.opcode().operands();
        StringBuilder sb = new StringBuilder(in.opcode().mnemonic);
        if (kinds.size() == 1 && kinds.get(0).kind() == OperandKind.USES) {
            // ret: its only operand is a register list, written without parentheses.
            int[] regs = in.list(0);
            for (int j = 0; j < regs.length; j++) {
                sb.append(j == 0 ? " " : ", ").append(reg(regNames, regs[j]));
            }
            return sb.toString();
        }
        int shown = kinds.size();
        while (shown > 0 && omittable(in, shown - 1)) {
            shown--;
        }
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? " " : ", ").append(operand(in, i, regNames, labels));
        }
        return sb.toString();
    }

    /** A trailing empty register list or a trailing zero offset may be left out. */
    private static boolean omittable(Instruction in, int i) {
        return switch (in.kind(i)) {
            case USES, DEFS -> in.list(i).length == 0;
            case OFFSET -> in.operands()[i] == 0 && i == in.operands().length - 1;
            default -> false;
        };
    }

    private String operand(Instruction in, int i, String[] regNames, Set<Long> labels) {
        long v = in.operands()[i];
        return switch (in.kind(i)) {
            case DEF, USE -> reg(regNames, (int) v);
            case FUNC -> functionName((int) v);
            case TYPE -> "t" + v;
            case GLOBAL -> globalName((int) v);
            case TABLE -> "tab" + v;
            case I32_IMM -> Integer.toString((int) v);
            case I64_IMM -> Long.toString(v);
            case F32_IMM -> Literals.formatF32((int) v);
            case F64_IMM -> Literals.formatF64(v);
            case OFFSET, ELEM -> Long.toString(v);
            case LABEL -> label(v, labels);
            case LABELS -> {
                StringBuilder sb = new StringBuilder("[");
                int[] ts = in.list(i);
                for (int j = 0; j < ts.length; j++) {
                    sb.append(j == 0 ? "" : ", ").append(label(Integer.toUnsignedLong(ts[j]), labels));
                }
                yield sb.append(']').toString();
            }
            case USES, DEFS -> {
                StringBuilder sb = new StringBuilder("(");
                int[] rs = in.list(i);
                for (int j = 0; j < rs.length; j++) {
                    sb.append(j == 0 ? "" : ", ").append(reg(regNames, rs[j]));
                }
                yield sb.append(')').toString();
            }
        };
    }

    /** A label where one was printed; otherwise the target pc itself (inside an instruction or past the end). */
    private static String label(long target, Set<Long> labels) {
        return labels.contains(target) ? "L" + target : Long.toString(target);
    }

    private static String reg(String[] regNames, int r) {
        return r >= 0 && r < regNames.length ? regNames[r] : "r" + r;
    }

    private String functionName(int i) {
        return i >= 0 && i < functionNames.length ? functionNames[i] : "f" + i;
    }

    private String globalName(int i) {
        return i >= 0 && i < globalNames.length ? globalNames[i] : "g" + i;
    }

    private String typeText(int typeIndex) {
        if (typeIndex >= 0 && typeIndex < module.types().size()) {
            return signature(module.types().get(typeIndex));
        }
        return "() ; type index " + typeIndex + " does not exist: placeholder signature";
    }

    private static String signature(FuncType t) {
        String params = t.declaredParams().stream().map(ValType::toString).collect(Collectors.joining(", ", "(", ")"));
        return t.results().isEmpty() ? params : params + " -> " + results(t.declaredResults());
    }

    private static String results(List<ValType> results) {
        return results.stream().map(ValType::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String literal(ValType type, long bits) {
        return switch (type) {
            case I32 -> Integer.toString((int) bits);
            case I64 -> Long.toString(bits);
            case F32 -> Literals.formatF32((int) bits);
            case F64 -> Literals.formatF64(bits);
            case FUNCREF, EXTERNREF -> Long.toString(bits);
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    private static String limits(Limits l) {
        return l.hasMax() ? l.min() + " " + l.max() : Long.toString(l.min());
    }

    private static String quote(String s) {
        return Literals.quote(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The names to print for indices {@code 0..count-1} of one kind: the stored name where it is
     * usable (not a default name, not taken by a lower index), else the default {@code prefix<i>};
     * a name that is not an identifier is printed quoted ({@code $"..."}).
     */
    private static String[] displayNames(String prefix, int count, Map<Integer, String> stored) {
        String[] names = new String[count];
        Set<String> used = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String s = stored.get(i);
            if (s != null && Scope.defaultIndex(prefix, s) < 0 && used.add(s)) {
                names[i] = isIdentifier(s) ? s : "$" + quote(s);
            } else {
                names[i] = prefix + i;
            }
        }
        return names;
    }

    /** True if {@code s} reads as one name token: {@code [A-Za-z_$.][A-Za-z0-9_$.]*}, not {@code $"}. */
    static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Lexer.isNameStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Lexer.isNamePart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private void line(String text) {
        out.append(text).append('\n');
    }

    /** A blank line before a group of statements, unless the group is empty. */
    private void section(boolean empty) {
        if (!empty) {
            line("");
        }
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
