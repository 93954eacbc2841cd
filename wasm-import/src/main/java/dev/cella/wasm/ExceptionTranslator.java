package dev.cella.wasm;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import java.util.ArrayList;
import java.util.List;

/**
 * Exception handling: tags, throw, the legacy try/catch/catch_all/rethrow/delegate that LLVM
 * emits, and try_table with catch and catch_all clauses (not the exnref forms catch_ref,
 * catch_all_ref and throw_ref, which are rejected as unsupported).
 *
 * <p>Cella's exceptions (see the note in {@link Opcode}) carry an integer tag and a payload of
 * 64-bit values, and are caught only by a caller waiting in {@code call_catch}. So:
 * <ul>
 *   <li>Wasm tag {@code i} is Cella tag {@code module.tagNumbers[i]} (its index, unless the
 *       embedder links tags between modules: {@link TagImports}); a payload value travels as its
 *       bits in an i64 (i32 and f32 zero-extended).
 *   <li>Each try and try_table has an {@link ExceptionHandler}: registers for a caught exception
 *       and a landing pad. Inside the code it covers (a try's body; all of a try_table), calls
 *       become {@code call_catch} into the pad, and a throw or rethrow writes the handler's
 *       registers and branches to the pad: the function's own handlers never need the
 *       engines' unwinding.
 *   <li>The pads are emitted after the body ({@link #emitPads}): each compares the tag with its
 *       clauses' and branches to the match (a legacy catch's body, which starts by converting the
 *       payload to typed values; or a try_table clause's target, with the payload as branch
 *       values); an exception no clause takes goes to the enclosing handler (for delegate, the
 *       one its label names), or, with no handler left, is thrown out of the function with
 *       {@code rethrow}, keeping its tag.
 *   <li>A caught exception stays in its handler's registers for the catch body, which is what
 *       rethrow rethrows; nested handlers have registers of their own.
 * </ul>
 */
abstract class ExceptionTranslator extends ControlTranslator {
    /** Every handler of the function, in order of creation. */
    private final List<ExceptionHandler> handlers = new ArrayList<>();
    /** Payload registers of the largest tag: how many i64 registers a handler has. */
    private final int payloadWidth;
    /** i64 registers for the payload of a throw that leaves the function; made on first use. */
    private final List<Integer> outgoing = new ArrayList<>();
    /** An i32 register for f32 payload conversions, or -1 until needed. */
    private int scratchI32 = -1;

    ExceptionTranslator(WasmModule module, WasmInput in, Registers regs) {
        super(module, in, regs);
        int width = 0;
        for (FuncType t : module.tags) {
            width = Math.max(width, t.params().size());
        }
        this.payloadWidth = width;
    }

    /** The handler covering the current point, or null if an exception here leaves the function. */
    final ExceptionHandler currentHandler() {
        return handlerAtOrOutside(frames.size() - 1);
    }

    /** The handler of frame {@code index} if it covers its code, else of the nearest enclosing frame that does. */
    private ExceptionHandler handlerAtOrOutside(int index) {
        for (int i = index; i >= 0; i--) {
            TranslatorBase.Frame f = frames.get(i);
            if (f.handler != null && !f.catching) {
                return f.handler;
            }
        }
        return null;
    }

    /**
     * Emits a call ({@code call} or {@code call_indirect}, operands and lists as that opcode
     * takes them), as the catching form into the current handler if there is one.
     */
    final void emitCall(Opcode plain, long[] operands, int[][] lists) {
        ExceptionHandler h = currentHandler();
        if (h == null || !code.reachable()) {
            code.emit(plain, operands, lists);
            return;
        }
        int[] exn = h.exceptionList();
        long[] o = new long[operands.length + 2];
        int[][] l = new int[lists.length + 2][];
        o[0] = h.pad;
        o[1] = exn.length;
        l[1] = exn;
        System.arraycopy(operands, 0, o, 2, operands.length);
        System.arraycopy(lists, 0, l, 2, lists.length);
        code.emit(plain == Opcode.CALL ? Opcode.CALL_CATCH : Opcode.CALL_INDIRECT_CATCH, o, l);
        h.used = true;
    }

    private FuncType tag(int index, long offset) {
        if (index >= module.tags.size()) {
            throw WasmException.invalid(offset, "unknown tag " + index);
        }
        return module.tags.get(index);
    }

    private ExceptionHandler newHandler() {
        int[] payload = new int[payloadWidth];
        for (int j = 0; j < payloadWidth; j++) {
            payload[j] = regs.scratch(ValType.I64);
        }
        ExceptionHandler h = new ExceptionHandler(code.newLabel(), regs.scratch(ValType.I32), payload, currentHandler());
        handlers.add(h);
        return h;
    }

    /** try (legacy): a block whose body the new handler covers until its first catch. */
    final void tryBlock() {
        FuncType type = blockType();
        ExceptionHandler h = newHandler();
        enter(TranslatorBase.Frame.TRY, type, code.newLabel()).handler = h;
    }

    /** catch (legacy) with {@code all} false, catch_all with it true. */
    final void catchClause(boolean all) {
        TranslatorBase.Frame f = top();
        if (f.kind != TranslatorBase.Frame.TRY) {
            throw invalid((all ? "catch_all" : "catch") + " outside a try block");
        }
        if (f.handler.catchesAll()) {
            throw invalid((all ? "catch_all" : "catch") + " after catch_all");
        }
        FuncType tagType = null;
        int tagIndex = -1;
        if (!all) {
            long tagAt = in.position();
            tagIndex = in.index();
            tagType = tag(tagIndex, tagAt);
        }
        checkFrameEnd(f);
        if (code.reachable()) {
            moveValues(f.type.results(), f.height);
            code.emit(Opcode.BR, f.label);
            f.branched = true;
        }
        stack.truncate(f.height);
        f.unreachable = false;
        f.catching = true;
        int entry = code.newLabel();
        f.handler.clauses.add(new ExceptionHandler.Clause(tagIndex, entry, null));
        code.bind(entry);
        // Everything that can reach the pad lies in the body before the first catch, so whether
        // any code reaches this catch is known here.
        code.reachable(f.handler.used);
        if (tagType != null) {
            List<ValType> params = tagType.params();
            for (int j = 0; j < params.size(); j++) {
                fromBits(params.get(j), f.handler.payload[j], pushResult(params.get(j)));
            }
        }
    }

    /** delegate (legacy): closes a try whose exceptions go to the handler its label names. */
    final void delegate() {
        TranslatorBase.Frame f = top();
        if (f.kind != TranslatorBase.Frame.TRY || f.catching) {
            throw invalid("delegate outside a try block without catches");
        }
        long labelAt = in.position();
        int depth = in.index();
        // The label counts from the frame enclosing the try.
        if (depth >= frames.size() - 1) {
            throw WasmException.invalid(labelAt, "unknown label " + depth);
        }
        f.handler.outer = handlerAtOrOutside(frames.size() - 2 - depth);
        end();
    }

    /** try_table: a block covered by a handler whose clauses branch to labels. */
    final void tryTable() {
        FuncType type = blockType();
        int n = in.count(2);
        List<ExceptionHandler.Clause> clauses = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long kindAt = in.position();
            int kind = in.u8();
            if (kind > 3) {
                throw WasmException.malformed(kindAt, "malformed catch clause kind " + kind);
            }
            if (kind == 1 || kind == 3) {
                throw WasmException.unsupported(kindAt, "exception handling (exnref: "
                        + (kind == 1 ? "catch_ref" : "catch_all_ref") + ")");
            }
            int tagIndex = -1;
            List<ValType> values = List.of();
            if (kind == 0) {
                long tagAt = in.position();
                tagIndex = in.index();
                values = tag(tagIndex, tagAt).params();
            }
            long labelAt = in.position();
            int depth = in.index();
            if (depth >= frames.size()) {
                throw WasmException.invalid(labelAt, "unknown label " + depth);
            }
            TranslatorBase.Frame target = frames.get(frames.size() - 1 - depth);
            if (!target.labelTypes().equals(values)) {
                throw WasmException.invalid(labelAt, "type mismatch: catch clause carries " + values
                        + " to a label of " + target.labelTypes());
            }
            if (code.reachable()) {
                target.branched = true;
            }
            clauses.add(new ExceptionHandler.Clause(tagIndex, -1, target));
        }
        ExceptionHandler h = newHandler();
        h.clauses.addAll(clauses);
        enter(TranslatorBase.Frame.TRY_TABLE, type, code.newLabel()).handler = h;
    }

    @Override
    final void closing(TranslatorBase.Frame f) {
        ExceptionHandler h = f.handler;
        if (h != null && h.used && !h.catchesAll() && h.outer != null) {
            h.outer.used = true;
        }
    }

    /** throw: the payload to the current handler, or out of the function. */
    final void throwTag() {
        long tagAt = in.position();
        int tagIndex = in.index();
        List<ValType> params = tag(tagIndex, tagAt).params();
        int[] values = valueRegisters(params, true);
        popN(params.size());
        if (code.reachable()) {
            ExceptionHandler h = currentHandler();
            if (h != null) {
                for (int j = 0; j < params.size(); j++) {
                    toBits(params.get(j), values[j], h.payload[j]);
                }
                code.emit(Opcode.I32_CONST, h.tag, module.tagNumbers[tagIndex]);
                code.emit(Opcode.BR, h.pad);
                h.used = true;
            } else {
                int[] bits = new int[params.size()];
                for (int j = 0; j < bits.length; j++) {
                    bits[j] = outgoing(j);
                    toBits(params.get(j), values[j], bits[j]);
                }
                code.emit(Opcode.THROW, new long[] {module.tagNumbers[tagIndex], bits.length},
                        new int[][] {null, bits});
            }
        }
        setUnreachable();
    }

    /** rethrow (legacy): the exception a catch of the labelled try caught, to the current handler. */
    final void rethrow() {
        long labelAt = in.position();
        int depth = in.index();
        if (depth >= frames.size()) {
            throw WasmException.invalid(labelAt, "unknown label " + depth);
        }
        TranslatorBase.Frame f = frames.get(frames.size() - 1 - depth);
        if (f.kind != TranslatorBase.Frame.TRY || !f.catching) {
            throw WasmException.invalid(labelAt, "invalid rethrow label");
        }
        if (code.reachable()) {
            ExceptionHandler to = currentHandler();
            propagate(f.handler, to);
            if (to != null) {
                to.used = true;
            }
        }
        setUnreachable();
    }

    /** Emits, after the body, the landing pads that code can reach (one may make another reachable). */
    final void emitPads() {
        boolean more = true;
        while (more) {
            more = false;
            for (ExceptionHandler h : handlers) {
                if (h.used && !h.emitted) {
                    h.emitted = true;
                    more = true;
                    emitPad(h);
                }
            }
        }
        code.reachable(false);
    }

    private void emitPad(ExceptionHandler h) {
        code.bind(h.pad);
        code.reachable(true);
        List<int[]> stubs = new ArrayList<>();
        boolean all = false;
        for (ExceptionHandler.Clause c : h.clauses) {
            int to = c.entry();
            if (c.target() != null) {
                to = code.newLabel();
                stubs.add(new int[] {to, h.clauses.indexOf(c)});
            }
            if (c.tag() < 0) {
                code.emit(Opcode.BR, to);
                all = true;
                break;
            }
            code.emit(Opcode.I32_BR_EQ, h.tag, regs.constant(ValType.I32, module.tagNumbers[c.tag()]), to);
        }
        if (!all) {
            propagate(h, h.outer);
        }
        for (int[] stub : stubs) {
            ExceptionHandler.Clause c = h.clauses.get(stub[1]);
            code.bind(stub[0]);
            code.reachable(true);
            TranslatorBase.Frame target = c.target();
            List<ValType> types = target.labelTypes();
            int[] values = new int[types.size()];
            for (int j = 0; j < values.length; j++) {
                values[j] = regs.slot(target.height + j, types.get(j));
                fromBits(types.get(j), h.payload[j], values[j]);
            }
            if (target.kind == TranslatorBase.Frame.FUNCTION) {
                code.emit(Opcode.RET, new long[] {values.length}, new int[][] {values});
            } else {
                code.emit(Opcode.BR, target.label);
            }
        }
    }

    /** Sends the exception in {@code from}'s registers to handler {@code to}, or out of the function if null. */
    private void propagate(ExceptionHandler from, ExceptionHandler to) {
        if (to != null) {
            code.emit(Opcode.I32_MOV, to.tag, from.tag);
            for (int j = 0; j < payloadWidth; j++) {
                code.emit(Opcode.I64_MOV, to.payload[j], from.payload[j]);
            }
            code.emit(Opcode.BR, to.pad);
            return;
        }
        // rethrow keeps the tag the exception has, whichever module's it is (or foreign): an
        // exception passing through a handler that does not take it leaves as it came in. Its
        // payload is the handler's registers, so it may come out padded to the module's widest tag.
        code.emit(Opcode.RETHROW, new long[] {from.tag, payloadWidth}, new int[][] {null, from.payload.clone()});
    }

    /** The i64 register for value {@code j} of a payload thrown out of the function. */
    private int outgoing(int j) {
        while (outgoing.size() <= j) {
            outgoing.add(regs.scratch(ValType.I64));
        }
        return outgoing.get(j);
    }

    private int scratchI32() {
        if (scratchI32 < 0) {
            scratchI32 = regs.scratch(ValType.I32);
        }
        return scratchI32;
    }

    /** Emits {@code dst := the bits of src} (a value of type {@code t}) as an i64. */
    private void toBits(ValType t, int src, int dst) {
        switch (t) {
            case I32 -> code.emit(Opcode.I64_EXTEND_I32_U, dst, src);
            case I64 -> code.emit(Opcode.I64_MOV, dst, src);
            case F32 -> {
                int bits = scratchI32();
                code.emit(Opcode.I32_REINTERPRET_F32, bits, src);
                code.emit(Opcode.I64_EXTEND_I32_U, dst, bits);
            }
            case F64 -> code.emit(Opcode.I64_REINTERPRET_F64, dst, src);
        }
    }

    /** Emits {@code dst := the value of type t whose bits the i64 src holds} ({@link #toBits}'s inverse). */
    private void fromBits(ValType t, int src, int dst) {
        switch (t) {
            case I32 -> code.emit(Opcode.I32_WRAP_I64, dst, src);
            case I64 -> code.emit(Opcode.I64_MOV, dst, src);
            case F32 -> {
                int bits = scratchI32();
                code.emit(Opcode.I32_WRAP_I64, bits, src);
                code.emit(Opcode.F32_REINTERPRET_I32, dst, bits);
            }
            case F64 -> code.emit(Opcode.F64_REINTERPRET_I64, dst, src);
        }
    }
}
