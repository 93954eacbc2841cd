package dev.cella.isa.module;

import dev.cella.isa.ValType;
import java.util.List;

/**
 * A function defined in the module.
 *
 * @param typeIndex its signature
 * @param registers the type of every register; the first ones hold the parameters, in order
 * @param code the body: encoded instructions (see {@link dev.cella.isa.Opcode}); not copied
 */
public record Function(int typeIndex, List<ValType> registers, byte[] code) {
    public Function {
        registers = List.copyOf(registers);
    }
}
