package dev.cella.isa.text;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.module.ExportKind;
import java.util.List;

/**
 * The parsed form of a text module: statements with their names still unresolved, each carrying
 * the position of its first token so that the {@link Assembler} can point at it. Literals are
 * already converted to raw bits (the parser knows each literal's type from the grammar or from
 * {@link Opcode#operands()}).
 */
final class Syntax {
    private Syntax() {}

    /** A name as written (quoted names already decoded), and where. */
    record Name(String text, int line, int column) {
        static Name of(Token t) {
            return new Name(t.text(), t.line(), t.column());
        }
    }

    /**
     * A signature. {@code paramNames} is null for {@code type} and {@code import}, whose parameters
     * are types only; for {@code func} it names each parameter's register.
     */
    record Sig(List<ValType> params, List<Name> paramNames, List<ValType> results) {}

    /** A module-level statement; {@code line} and {@code column} locate its keyword. */
    sealed interface Stmt permits TypeStmt, ImportStmt, MemoryStmt, GlobalStmt, TableStmt, ElemStmt, DataStmt,
            ExportStmt, StartStmt, FuncStmt {
        int line();

        int column();
    }

    /** {@code type [NAME] SIG}; {@code name} is null when omitted. */
    record TypeStmt(int line, int column, Name name, Sig sig) implements Stmt {}

    /** {@code import NAME "module" "name" SIG}. */
    record ImportStmt(int line, int column, Name name, String module, String field, Sig sig) implements Stmt {}

    /**
     * {@code memory MIN [MAX] [import "MODULE" "NAME"]}; {@code max} is {@link
     * dev.cella.isa.module.Limits#NONE} when omitted, {@code importModule} and {@code importName}
     * null for an owned memory.
     */
    record MemoryStmt(int line, int column, long min, long max, String importModule, String importName)
            implements Stmt {}

    /** {@code global NAME: T [mut] = LITERAL}; {@code init} holds the literal's raw bits. */
    record GlobalStmt(int line, int column, Name name, ValType type, boolean mutable, long init, String importModule,
            String importName) implements Stmt {}

    /**
     * {@code table NAME MIN [MAX] [funcref|externref] [import "module" "name"]}; {@code
     * importModule} and {@code importName} null for a table the module owns.
     */
    record TableStmt(int line, int column, Name name, long min, long max, ValType element, String importModule,
            String importName) implements Stmt {}

    /**
     * {@code elem TABLE OFFSET [F, ...]} (active), or {@code elem [F, ...]} (passive: table null);
     * a null entry of {@code functions} is the word {@code null}, a null reference.
     */
    record ElemStmt(int line, int column, Name table, long offset, List<Name> functions) implements Stmt {}

    /** {@code data OFFSET "string" ...}; the strings' bytes concatenated. */
    record DataStmt(int line, int column, long offset, byte[] bytes) implements Stmt {}

    /** {@code export KIND [NAME] ["export name"]}; {@code target} is null for the memory. */
    record ExportStmt(int line, int column, ExportKind kind, Name target, String exportName) implements Stmt {}

    /** {@code start NAME}. */
    record StartStmt(int line, int column, Name function) implements Stmt {}

    /**
     * {@code func NAME SIG { ... }}: the registers declared by {@code reg} lines (after the
     * parameters) and the body's labels and instructions in order.
     */
    record FuncStmt(int line, int column, Name name, Sig sig, List<Name> regNames, List<ValType> regTypes,
            List<BodyItem> body) implements Stmt {}

    /** A label definition or an instruction. */
    sealed interface BodyItem permits LabelDef, Insn {}

    /** {@code NAME:} marks the pc of the next instruction (or the end of the body). */
    record LabelDef(Name name) implements BodyItem {}

    /** An instruction: {@code args.get(i)} is operand {@code i} of {@code opcode.operands()}. */
    record Insn(int line, int column, Opcode opcode, List<Arg> args) implements BodyItem {}

    /** One operand as written. */
    sealed interface Arg permits Ref, Imm, ArgList {}

    /** A name to resolve: a register, label, function, type, global or table. */
    record Ref(Name name) implements Arg {}

    /** A literal's raw bits: an immediate, an offset, or a label written as a pc. */
    record Imm(long bits) implements Arg {}

    /** A register list or a label list. */
    record ArgList(List<Arg> items) implements Arg {}
}
