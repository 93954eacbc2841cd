package dev.cella.wasm;

import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registers of one translated function. Registers 0 to locals-1 are the Wasm locals
 * (parameters first, so Cella's calling convention holds); a v128 local takes two i64 registers
 * (see {@link ValType#V128}), so Wasm local x is register {@link #localRegister}(x). After them,
 * allocated on demand:
 * <ul>
 *   <li>one <em>slot</em> register per (operand stack depth, type) that ever holds a value: a
 *       value at depth k of type T that is not a local or a constant lives in {@code slot(k, T)},
 *       so branches and block ends agree on where values are without any register allocation
 *       across control flow;
 *   <li>one <em>constant</em> register per distinct constant used inside a loop, loaded once in
 *       the function's prologue and never written again (Cella instructions take no immediate
 *       operands, and hand-written code would hoist the load out of the loop too);
 *   <li>scratch registers for helper code.
 * </ul>
 */
final class Registers {
    private final List<ValType> types = new ArrayList<>();
    private final int locals;
    /** The first register and the Wasm type of each Wasm local. */
    private final int[] localRegister;
    private final ValType[] localType;
    /** slots[type.ordinal()] lists the slot register of each depth, -1 if not allocated yet. */
    private final List<List<Integer>> slots = new ArrayList<>();
    private final Map<ValType, Map<Long, Integer>> constants = new HashMap<>();
    /** The (register, type, bits) of each constant register, in allocation order. */
    private final List<long[]> constantLoads = new ArrayList<>();
    private final long functionOffset;

    /**
     * @param localTypes the types of the Wasm locals, parameters first
     * @param functionOffset offset of the function body, for the message if registers run out
     */
    Registers(List<ValType> localTypes, long functionOffset) {
        this.functionOffset = functionOffset;
        localRegister = new int[localTypes.size()];
        localType = localTypes.toArray(new ValType[0]);
        for (int x = 0; x < localType.length; x++) {
            localRegister[x] = types.size();
            addTypes(localType[x]);
            if (types.size() > CodeReader.MAX_REGISTERS) {
                break; // checkLimit below reports it
            }
        }
        this.locals = types.size();
        for (int i = 0; i < ValType.values().length; i++) {
            slots.add(new ArrayList<>());
        }
        checkLimit();
    }

    private void checkLimit() {
        if (types.size() > CodeReader.MAX_REGISTERS) {
            throw WasmException.unsupported(functionOffset, "a function needing more than " + CodeReader.MAX_REGISTERS
                    + " registers (" + locals + " locals plus its operand stack); Cella functions have at most "
                    + CodeReader.MAX_REGISTERS);
        }
    }

    /** The number of registers holding Wasm locals (a v128 local counts two). */
    int locals() {
        return locals;
    }

    /** The number of Wasm locals, parameters included. */
    int wasmLocals() {
        return localType.length;
    }

    /** The first register of Wasm local {@code x}. */
    int localRegister(int x) {
        return localRegister[x];
    }

    /** The Wasm type of Wasm local {@code x}. */
    ValType localType(int x) {
        return localType[x];
    }

    /** Appends the register(s) of one value of Wasm type {@code type}: two i64 for a v128. */
    private void addTypes(ValType type) {
        if (type == ValType.V128) {
            types.add(ValType.I64);
            types.add(ValType.I64);
        } else {
            types.add(type);
        }
    }

    ValType type(int reg) {
        return types.get(reg);
    }

    /** The register types, in order: the Cella function's register list. */
    List<ValType> types() {
        return types;
    }

    /** A new register for a value of {@code type} (the first of a pair for a v128). */
    private int add(ValType type) {
        int r = types.size();
        addTypes(type);
        checkLimit();
        return r;
    }

    /** The slot register for operand stack depth {@code depth} and type {@code type}. */
    int slot(int depth, ValType type) {
        List<Integer> list = slots.get(type.ordinal());
        while (list.size() <= depth) {
            list.add(-1);
        }
        int r = list.get(depth);
        if (r < 0) {
            r = add(type);
            list.set(depth, r);
        }
        return r;
    }

    /** The register holding constant {@code bits} of type {@code type}, loaded in the prologue. */
    int constant(ValType type, long bits) {
        Map<Long, Integer> m = constants.computeIfAbsent(type, t -> new HashMap<>());
        Integer r = m.get(bits);
        if (r == null) {
            r = add(type);
            m.put(bits, r);
            constantLoads.add(new long[] {r, type.ordinal(), bits});
        }
        return r;
    }

    /** The constant registers to load in the prologue: {register, type ordinal, bits} each. */
    List<long[]> constantLoads() {
        return constantLoads;
    }

    /** A fresh register used only by the caller. */
    int scratch(ValType type) {
        return add(type);
    }
}
