package dev.cella.vm.interp;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import java.util.Arrays;

/**
 * One function of the function index space in the interpreter's form: for a defined function its
 * decoded code ({@link Op}) and the side table that maps decoded positions back to byte pcs; for
 * an import only its signature. Immutable once built, so instances of a module share it.
 */
final class DecodedFunction {
    /** Index in the module's function index space. */
    final int index;
    /** Its type index (call_indirect compares these: types are canonical). */
    final int typeIndex;
    final FuncType type;
    /** Number of parameters. */
    final int params;
    /** Registers in a frame of this function (parameters first); 0 for an import. */
    final int frameSize;
    /** Decoded code, or null for an imported (host) function. */
    final int[] code;
    /**
     * Side table, sorted by decoded position: {@code starts[i]} is the decoded position of an
     * instruction or FUEL header and {@code pcs[i]} the byte pc it stands for.
     */
    private final int[] starts;
    private final int[] pcs;
    /** The type of the single result, or null if there is none or more than one. */
    final ValType result;

    DecodedFunction(int index, int typeIndex, FuncType type, int frameSize, int[] code, int[] starts, int[] pcs) {
        this.index = index;
        this.typeIndex = typeIndex;
        this.type = type;
        this.params = type.params().size();
        this.frameSize = frameSize;
        this.code = code;
        this.starts = starts;
        this.pcs = pcs;
        this.result = type.results().size() == 1 ? type.results().get(0) : null;
    }

    /** True for an imported (host) function. */
    boolean isImport() {
        return code == null;
    }

    /**
     * The byte pc of the instruction (or, for a FUEL header, of the block's leader) that contains
     * decoded position {@code position}.
     */
    int bytePc(int position) {
        return pcs[startIndex(position)];
    }

    /** The decoded position of the instruction (or FUEL header) that contains decoded position {@code position}. */
    int instructionStart(int position) {
        return starts[startIndex(position)];
    }

    private int startIndex(int position) {
        int i = Arrays.binarySearch(starts, position);
        if (i < 0) {
            i = -i - 2; // the last start below position: the instruction whose operands hold it
        }
        return Math.max(i, 0);
    }
}
