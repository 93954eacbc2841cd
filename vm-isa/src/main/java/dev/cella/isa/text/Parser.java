package dev.cella.isa.text;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.Limits;
import dev.cella.isa.text.Syntax.Arg;
import dev.cella.isa.text.Syntax.ArgList;
import dev.cella.isa.text.Syntax.BodyItem;
import dev.cella.isa.text.Syntax.DataStmt;
import dev.cella.isa.text.Syntax.ElemStmt;
import dev.cella.isa.text.Syntax.ExportStmt;
import dev.cella.isa.text.Syntax.FuncStmt;
import dev.cella.isa.text.Syntax.GlobalStmt;
import dev.cella.isa.text.Syntax.Imm;
import dev.cella.isa.text.Syntax.ImportStmt;
import dev.cella.isa.text.Syntax.Insn;
import dev.cella.isa.text.Syntax.LabelDef;
import dev.cella.isa.text.Syntax.MemoryStmt;
import dev.cella.isa.text.Syntax.Name;
import dev.cella.isa.text.Syntax.Ref;
import dev.cella.isa.text.Syntax.Sig;
import dev.cella.isa.text.Syntax.StartStmt;
import dev.cella.isa.text.Syntax.Stmt;
import dev.cella.isa.text.Syntax.TableStmt;
import dev.cella.isa.text.Syntax.TypeStmt;
import dev.cella.isa.text.Token.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns tokens into {@link Syntax} statements. It checks the grammar of {@code docs/assembly.md}
 * and converts literals to raw bits; it does not resolve names (the {@link Assembler} does).
 * Instruction operands are parsed from {@link Opcode#operands()}: no opcode has its own syntax.
 */
final class Parser {
    private static final String STATEMENTS = "type, import, memory, global, table, elem, data, export, start or func";

    private final List<Token> tokens;
    private final String file;
    private int pos;

    private Parser(List<Token> tokens, String file) {
        this.tokens = tokens;
        this.file = file;
    }

    /**
     * Parses a whole module's text.
     *
     * @throws AssemblyException at the first lexical or grammatical error
     */
    static List<Stmt> parse(String source, String file) {
        return new Parser(Lexer.tokenize(source, file), file).module();
    }

    private List<Stmt> module() {
        List<Stmt> out = new ArrayList<>();
        while (true) {
            skipNewlines();
            Token t = next();
            if (t.is(Kind.EOF)) {
                return out;
            }
            if (!t.is(Kind.NAME)) {
                throw expected(t, "a statement (" + STATEMENTS + ")");
            }
            Stmt s = switch (t.text()) {
                case "type" -> new TypeStmt(t.line(), t.column(), peek().is(Kind.NAME) ? name("a type name") : null,
                        signature(false));
                case "import" -> importStmt(t);
                case "memory" -> memoryStmt(t);
                case "global" -> globalStmt(t);
                case "table" -> tableStmt(t);
                case "elem" -> elemStmt(t);
                case "data" -> dataStmt(t);
                case "export" -> exportStmt(t);
                case "start" -> new StartStmt(t.line(), t.column(), name("a function name"));
                case "func" -> funcStmt(t);
                default -> throw expected(t, "a statement (" + STATEMENTS + ")");
            };
            if (!(s instanceof FuncStmt)) {
                endOfLine();
            }
            out.add(s);
        }
    }

    private MemoryStmt memoryStmt(Token kw) {
        long min = u32("the minimum size in pages");
        long max = optionalMax();
        if (!peek().isWord("import")) {
            return new MemoryStmt(kw.line(), kw.column(), min, max, null, null);
        }
        next();
        String module = utf8String("the module name in quotes");
        String field = utf8String("the memory's name in quotes");
        return new MemoryStmt(kw.line(), kw.column(), min, max, module, field);
    }

    private TableStmt tableStmt(Token kw) {
        Name name = name("a table name");
        long min = u32("the minimum size in elements");
        long max = optionalMax();
        ValType element = tableElementType();
        if (!peek().isWord("import")) {
            return new TableStmt(kw.line(), kw.column(), name, min, max, element, null, null);
        }
        next();
        String module = utf8String("the module name in quotes");
        String field = utf8String("the table's name in quotes");
        return new TableStmt(kw.line(), kw.column(), name, min, max, element, module, field);
    }

    private ImportStmt importStmt(Token kw) {
        Name name = name("a function name");
        String module = utf8String("the module name in quotes");
        String field = utf8String("the function name in quotes");
        return new ImportStmt(kw.line(), kw.column(), name, module, field, signature(false));
    }

    private GlobalStmt globalStmt(Token kw) {
        Name name = name("a global name");
        expect(Kind.COLON, "':' and the global's type");
        ValType type = valType();
        boolean mutable = false;
        if (peek().isWord("mut")) {
            next();
            mutable = true;
        }
        if (peek().isWord("import")) {
            next();
            String module = utf8String("the module name in quotes");
            String field = utf8String("the global's name in quotes");
            return new GlobalStmt(kw.line(), kw.column(), name, type, mutable, 0, module, field);
        }
        expect(Kind.EQUALS, mutable ? "'=', 'import' and the initial value" : "'mut', '=' or 'import'");
        Token lit = next();
        long init = switch (type) {
            case I32 -> literal(lit, "an i32 literal", Literals::i32);
            case I64 -> literal(lit, "an i64 literal", Literals::i64);
            case F32 -> literal(lit, "an f32 literal", Literals::f32);
            case F64 -> literal(lit, "an f64 literal", Literals::f64);
            case FUNCREF, EXTERNREF -> literal(lit, "a reference's raw bits (0 for null)", Literals::i64);
            case V128 -> throw new IllegalStateException("valType never returns v128");
        };
        return new GlobalStmt(kw.line(), kw.column(), name, type, mutable, init, null, null);
    }

    private ElemStmt elemStmt(Token kw) {
        // A passive segment has no table and offset: "elem [f, g]".
        boolean passive = peek().is(Kind.LBRACKET);
        Name table = passive ? null : name("a table name");
        long offset = passive ? 0 : u32("the first element's index");
        expect(Kind.LBRACKET, "'[' and a list of function names");
        List<Name> functions = new ArrayList<>();
        if (!peek().is(Kind.RBRACKET)) {
            do {
                if (peek().isWord("null")) {
                    next();
                    functions.add(null); // a null reference
                } else {
                    functions.add(name("a function name or null"));
                }
            } while (accept(Kind.COMMA));
        }
        expect(Kind.RBRACKET, "',' or ']'");
        return new ElemStmt(kw.line(), kw.column(), table, offset, functions);
    }

    private DataStmt dataStmt(Token kw) {
        long offset = u32("the memory offset");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Token s = next();
        if (!s.is(Kind.STRING)) {
            throw expected(s, "a string");
        }
        bytes.writeBytes(s.bytes());
        while (peek().is(Kind.STRING)) {
            bytes.writeBytes(next().bytes());
        }
        return new DataStmt(kw.line(), kw.column(), offset, bytes.toByteArray());
    }

    private ExportStmt exportStmt(Token kw) {
        Token k = next();
        ExportKind kind = switch (k.is(Kind.NAME) ? k.text() : "") {
            case "func" -> ExportKind.FUNC;
            case "memory" -> ExportKind.MEMORY;
            case "global" -> ExportKind.GLOBAL;
            case "table" -> ExportKind.TABLE;
            default -> throw expected(k, "func, memory, global or table");
        };
        if (kind == ExportKind.MEMORY) {
            return new ExportStmt(kw.line(), kw.column(), kind, null, utf8String("the export name in quotes"));
        }
        Name target = name("a " + k.text() + " name");
        String exportName = peek().is(Kind.STRING) ? utf8String("the export name") : target.text();
        return new ExportStmt(kw.line(), kw.column(), kind, target, exportName);
    }

    private FuncStmt funcStmt(Token kw) {
        Name name = name("a function name");
        Sig sig = signature(true);
        expect(Kind.LBRACE, "'{' to open the function body");
        endOfLine();
        List<Name> regNames = new ArrayList<>();
        List<ValType> regTypes = new ArrayList<>();
        List<BodyItem> body = new ArrayList<>();
        boolean seenCode = false;
        while (true) {
            skipNewlines();
            Token t = peek();
            if (t.is(Kind.RBRACE)) {
                next();
                endOfLine();
                return new FuncStmt(kw.line(), kw.column(), name, sig, regNames, regTypes, body);
            }
            if (t.is(Kind.EOF) || t.isWord("func") && peek(1).is(Kind.NAME)) {
                // "func" is no mnemonic: a new function here means this one's '}' is missing.
                throw new AssemblyException(file, t.line(), t.column(), "expected '}' to close func " + name.text()
                        + " (line " + kw.line() + "), found " + (t.is(Kind.EOF) ? "end of file" : "another func"));
            }
            if (t.is(Kind.NAME) && peek(1).is(Kind.COLON)) {
                next();
                next();
                body.add(new LabelDef(Name.of(t)));
                seenCode = true;
                if (!peek().is(Kind.NEWLINE)) {
                    body.add(instruction());
                }
            } else if (t.isWord("reg") && peek(1).is(Kind.NAME)) {
                if (seenCode) {
                    throw new AssemblyException(file, t.line(), t.column(),
                            "reg declarations must come before the first label or instruction");
                }
                next();
                do {
                    regNames.add(name("a register name"));
                    expect(Kind.COLON, "':' and the register's type");
                    regTypes.add(valType());
                } while (accept(Kind.COMMA));
                endOfLine();
            } else {
                body.add(instruction());
                seenCode = true;
            }
        }
    }

    /** An instruction and the end of its line. */
    private Insn instruction() {
        Token m = next();
        if (!m.is(Kind.NAME)) {
            throw expected(m, "an instruction, a label or '}'");
        }
        Opcode op = Opcode.fromMnemonic(m.text());
        if (op == null) {
            throw new AssemblyException(file, m.line(), m.column(), "unknown mnemonic '" + m.text() + "'");
        }
        List<Operand> kinds = op.operands();
        List<Arg> args = new ArrayList<>(kinds.size());
        if (kinds.size() == 1 && kinds.get(0).kind() == OperandKind.USES
                && !peek().is(Kind.LPAREN) && !peek().is(Kind.NEWLINE)) {
            // "ret a, b" for "ret (a, b)": the only operand is a register list.
            List<Arg> regs = new ArrayList<>();
            do {
                regs.add(new Ref(name("a register")));
            } while (accept(Kind.COMMA));
            args.add(new ArgList(regs));
        } else {
            for (int i = 0; i < kinds.size(); i++) {
                if (peek().is(Kind.NEWLINE) && omittable(kinds.subList(i, kinds.size()))) {
                    for (Operand o : kinds.subList(i, kinds.size())) {
                        args.add(o.kind() == OperandKind.OFFSET ? new Imm(0) : new ArgList(List.of()));
                    }
                    break;
                }
                if (peek().is(Kind.NEWLINE)) {
                    Token t = peek();
                    throw new AssemblyException(file, t.line(), t.column(), op.mnemonic + " takes " + kinds.size()
                            + " operands (" + op.signature() + "), found " + i);
                }
                if (i > 0) {
                    expect(Kind.COMMA, "',' before operand " + (i + 1) + " of " + op.mnemonic);
                }
                args.add(operand(kinds.get(i), op, i));
            }
        }
        Token end = peek();
        if (!end.is(Kind.NEWLINE)) {
            throw expected(end, "end of line after the " + kinds.size() + " operand" + (kinds.size() == 1 ? "" : "s")
                    + " of " + op.mnemonic);
        }
        next();
        return new Insn(m.line(), m.column(), op, args);
    }

    /** True if operands {@code rest} may be left out: only register lists, or only an offset. */
    private static boolean omittable(List<Operand> rest) {
        if (rest.size() == 1 && rest.get(0).kind() == OperandKind.OFFSET) {
            return true;
        }
        return rest.stream().allMatch(o -> o.kind() == OperandKind.USES || o.kind() == OperandKind.DEFS);
    }

    private Arg operand(Operand o, Opcode op, int index) {
        String where = " as operand " + (index + 1) + " of " + op.mnemonic;
        return switch (o.kind()) {
            case DEF, USE -> new Ref(name("an " + o.type() + " register" + where));
            case FUNC -> new Ref(name("a function name" + where));
            case TYPE -> new Ref(name("a type name" + where));
            case GLOBAL -> new Ref(name("a global name" + where));
            case TABLE -> new Ref(name("a table name" + where));
            case LABEL -> label(where);
            case I32_IMM -> new Imm(literal(next(), "an i32 literal" + where, Literals::i32));
            case I64_IMM -> new Imm(literal(next(), "an i64 literal" + where, Literals::i64));
            case F32_IMM -> new Imm(literal(next(), "an f32 literal" + where, Literals::f32));
            case F64_IMM -> new Imm(literal(next(), "an f64 literal" + where, Literals::f64));
            case OFFSET -> new Imm(u32("a memory offset" + where));
            case ELEM -> new Imm(u32("an element segment index" + where));
            case LABELS -> {
                expect(Kind.LBRACKET, "'[' and a list of labels" + where);
                List<Arg> items = new ArrayList<>();
                if (!peek().is(Kind.RBRACKET)) {
                    do {
                        items.add(label(where));
                    } while (accept(Kind.COMMA));
                }
                expect(Kind.RBRACKET, "',' or ']'");
                yield new ArgList(items);
            }
            case USES, DEFS -> {
                expect(Kind.LPAREN, "'(' and a list of registers" + where);
                List<Arg> items = new ArrayList<>();
                if (!peek().is(Kind.RPAREN)) {
                    do {
                        items.add(new Ref(name("a register")));
                    } while (accept(Kind.COMMA));
                }
                expect(Kind.RPAREN, "',' or ')'");
                yield new ArgList(items);
            }
        };
    }

    /** A label name, or a pc written as a number. */
    private Arg label(String where) {
        if (peek().is(Kind.NUMBER)) {
            return new Imm(u32("a label pc"));
        }
        return new Ref(name("a label" + where));
    }

    /**
     * {@code (T, ...)} or, with {@code named}, {@code (P: T, ...)}; then an optional {@code -> ...}.
     * The types may be {@code v128} (the declared form, see FuncType#declared).
     */
    private Sig signature(boolean named) {
        List<ValType> params = new ArrayList<>();
        List<Name> names = named ? new ArrayList<>() : null;
        expect(Kind.LPAREN, named ? "'(' and the parameters" : "'(' and the parameter types");
        if (!peek().is(Kind.RPAREN)) {
            do {
                if (named) {
                    names.add(name("a parameter name"));
                    expect(Kind.COLON, "':' and the parameter's type");
                }
                params.add(signatureType());
            } while (accept(Kind.COMMA));
        }
        expect(Kind.RPAREN, "',' or ')'");
        List<ValType> results = new ArrayList<>();
        if (accept(Kind.ARROW)) {
            if (accept(Kind.LPAREN)) {
                if (!peek().is(Kind.RPAREN)) {
                    do {
                        results.add(signatureType());
                    } while (accept(Kind.COMMA));
                }
                expect(Kind.RPAREN, "',' or ')'");
            } else {
                results.add(signatureType());
            }
        }
        return new Sig(params, names, results);
    }

    /** A register type, or {@code v128}: a pair of i64 values that the signature marks (FuncType#declared). */
    private ValType signatureType() {
        if (peek().isWord("v128")) {
            next();
            return ValType.V128;
        }
        return valType();
    }

    private ValType valType() {
        Token t = next();
        ValType v = t.is(Kind.NAME) ? ValType.fromText(t.text()) : null;
        if (v == null || !v.isScalar()) {
            throw expected(t, "a type (i32, i64, f32 or f64)");
        }
        return v;
    }

    /** An optional {@code funcref} or {@code externref} after a table's limits; funcref if absent. */
    private ValType tableElementType() {
        if (peek().isWord("externref")) {
            next();
            return ValType.EXTERNREF;
        }
        if (peek().isWord("funcref")) {
            next();
        }
        return ValType.FUNCREF;
    }

    private long optionalMax() {
        return peek().is(Kind.NUMBER) ? u32("the maximum size") : Limits.NONE;
    }

    private long u32(String what) {
        return literal(next(), what, text -> Literals.u32(text, what));
    }

    /** Reads literal {@code t} with {@code reader}; a non-literal or out-of-range value is an error. */
    private long literal(Token t, String what, Function<String, ? extends Number> reader) {
        Number n = null;
        if (t.is(Kind.NUMBER) || t.is(Kind.NAME) && (t.text().equals("nan") || t.text().equals("inf"))) {
            try {
                n = reader.apply(t.text());
            } catch (Literals.RangeException e) {
                throw new AssemblyException(file, t.line(), t.column(), e.getMessage());
            }
        }
        if (n == null) {
            throw expected(t, what);
        }
        return n.longValue();
    }

    private String utf8String(String what) {
        Token t = next();
        if (!t.is(Kind.STRING)) {
            throw expected(t, what);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(t.bytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AssemblyException(file, t.line(), t.column(), "a name must be valid UTF-8");
        }
    }

    private Name name(String what) {
        Token t = next();
        if (!t.is(Kind.NAME)) {
            throw expected(t, what);
        }
        return Name.of(t);
    }

    private void endOfLine() {
        Token t = next();
        if (!t.is(Kind.NEWLINE)) {
            throw expected(t, "end of line");
        }
    }

    private void skipNewlines() {
        while (peek().is(Kind.NEWLINE)) {
            pos++;
        }
    }

    private void expect(Kind kind, String what) {
        Token t = next();
        if (!t.is(kind)) {
            throw expected(t, what);
        }
    }

    private boolean accept(Kind kind) {
        if (peek().is(kind)) {
            pos++;
            return true;
        }
        return false;
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    /** Consumes a token; never moves past the final {@link Kind#EOF}. */
    private Token next() {
        Token t = tokens.get(pos);
        if (!t.is(Kind.EOF)) {
            pos++;
        }
        return t;
    }

    private AssemblyException expected(Token found, String what) {
        return new AssemblyException(file, found.line(), found.column(), "expected " + what + ", found "
                + found.describe());
    }
}
