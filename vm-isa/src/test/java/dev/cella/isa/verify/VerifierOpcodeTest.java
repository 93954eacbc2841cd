package dev.cella.isa.verify;

import static dev.cella.isa.verify.OpcodeFixture.MAIN;
import static dev.cella.isa.verify.OpcodeFixture.body;
import static dev.cella.isa.verify.OpcodeFixture.module;
import static dev.cella.isa.verify.OpcodeFixture.valid;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.FuncType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks the verifier against every opcode, with operands derived from {@link Opcode#operands()}
 * by {@link OpcodeFixture}: each opcode is accepted with valid operands, and each operand made
 * invalid in turn is rejected at the instruction's pc.
 */
class VerifierOpcodeTest {

    @Test
    void acceptsAFunctionThatUsesEveryOpcode() {
        Instruction[] all = Arrays.stream(Opcode.values()).map(OpcodeFixture::valid).toArray(Instruction[]::new);
        assertDoesNotThrow(() -> Verifier.verify(module(body(all)).build()));
    }

    @TestFactory
    Stream<DynamicTest> acceptsEveryOpcodeWithValidOperands() {
        return Arrays.stream(Opcode.values()).map(op -> DynamicTest.dynamicTest(op.mnemonic,
                () -> assertDoesNotThrow(() -> Verifier.verify(module(body(valid(op))).build()))));
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryRegisterOperandOfTheWrongType() {
        return forEachOperand(
                (op, i) -> op.operands().get(i).kind().isRegister(),
                (insn, i) -> {
                    ValType t = insn.opcode().operands().get(i).type();
                    return List.of(OpcodeFixture.withOperand(insn, i, OpcodeFixture.wrongRegister(t)));
                },
                "but %s is required");
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryRegisterListElementOfTheWrongType() {
        return forEachOperand(
                OpcodeFixture::isRegisterList,
                (insn, i) -> {
                    List<Instruction> variants = new ArrayList<>();
                    int[] list = insn.list(i);
                    for (int j = 0; j < list.length; j++) {
                        ValType t = OpcodeFixture.MAIN_REGISTERS.get(list[j]);
                        variants.add(OpcodeFixture.withListElement(insn, i, j, OpcodeFixture.wrongRegister(t)));
                    }
                    return variants;
                },
                "is required");
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryRegisterOutOfRange() {
        int outOfRange = OpcodeFixture.MAIN_REGISTERS.size();
        return forEachOperand(
                (op, i) -> op.operands().get(i).kind().isRegister() || OpcodeFixture.isRegisterList(op, i),
                (insn, i) -> {
                    if (insn.kind(i).isRegister()) {
                        return List.of(OpcodeFixture.withOperand(insn, i, outOfRange));
                    }
                    List<Instruction> variants = new ArrayList<>();
                    for (int j = 0; j < insn.list(i).length; j++) {
                        variants.add(OpcodeFixture.withListElement(insn, i, j, outOfRange));
                    }
                    return variants;
                },
                "is register r" + outOfRange + ", out of range");
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryIndexOperandOutOfRange() {
        return forEachOperand(
                (op, i) -> switch (op.operands().get(i).kind()) {
                    case FUNC, TYPE, TABLE, GLOBAL -> true;
                    default -> false;
                },
                (insn, i) -> List.of(OpcodeFixture.withOperand(insn, i, 0xFFFF_FFFFL)),
                "4294967295, out of range");
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryLabelIntoTheMiddleOfAnInstruction() {
        // The instruction under test is at pc 0 and longer than one byte, so pc 1 is inside it.
        return forEachOperand(
                (op, i) -> op.operands().get(i).kind() == OperandKind.LABEL
                        || op.operands().get(i).kind() == OperandKind.LABELS,
                (insn, i) -> insn.kind(i) == OperandKind.LABEL
                        ? List.of(OpcodeFixture.withOperand(insn, i, 1))
                        : List.of(OpcodeFixture.withListElement(insn, i, 1, 1)),
                "branch target 1 is not the start of an instruction");
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryLabelPastTheEndOfTheFunction() {
        return forEachOperand(
                (op, i) -> op.operands().get(i).kind() == OperandKind.LABEL
                        || op.operands().get(i).kind() == OperandKind.LABELS,
                (insn, i) -> insn.kind(i) == OperandKind.LABEL
                        ? List.of(OpcodeFixture.withOperand(insn, i, 0xFFFF_FFF0L))
                        : List.of(OpcodeFixture.withListElement(insn, i, 0, -16)),
                "branch target 4294967280 is outside the function body");
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryMemoryOpcodeWithoutAMemory() {
        return Arrays.stream(Opcode.values()).filter(Opcode::usesMemory).map(op -> DynamicTest.dynamicTest(op.mnemonic,
                () -> {
                    ModuleBuilder m = module(body(valid(op)));
                    m.memory = null;
                    m.assertRejected(MAIN, 0, op.mnemonic + " needs a memory but the module has none");
                }));
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryGlobalOfTheWrongType() {
        return forEachOperand(
                (op, i) -> op.operands().get(i).kind() == OperandKind.GLOBAL,
                (insn, i) -> List.of(OpcodeFixture.withOperand(insn, i,
                        OpcodeFixture.wrongGlobal(ValType.values()[(int) insn.operands()[i]]))),
                "needs a global of type");
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryGlobalWriteToAnImmutableGlobal() {
        return Arrays.stream(Opcode.values())
                .filter(op -> op.operands().stream().anyMatch(o -> o.kind() == OperandKind.GLOBAL))
                .map(op -> DynamicTest.dynamicTest(op.mnemonic, () -> {
                    ModuleBuilder m = module(body(valid(op)));
                    ValType t = m.globals.get((int) valid(op).operands()[globalOperand(op)]).type();
                    m.globals.replaceAll(g -> new dev.cella.isa.module.Global(g.type(), false, g.init()));
                    boolean writes = op.operands().stream().anyMatch(o -> o.kind() == OperandKind.USE);
                    if (writes) {
                        m.assertRejected(MAIN, 0, "writes global g" + t.ordinal() + ", which is immutable");
                    } else {
                        assertDoesNotThrow(() -> Verifier.verify(m.build()));
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> rejectsEveryRegisterListOfTheWrongLength() {
        // Exception lists (throw's payload, call_catch's exn) have no fixed length.
        return forEachOperand(
                (op, i) -> OpcodeFixture.isRegisterList(op, i) && !OpcodeFixture.isExceptionList(op, i)
                        && op != Opcode.THROW && op != Opcode.RETHROW,
                (insn, i) -> {
                    int[][] longer = insn.lists().clone();
                    longer[i] = Arrays.copyOf(insn.list(i), insn.list(i).length + 1);
                    int[][] shorter = insn.lists().clone();
                    shorter[i] = Arrays.copyOf(insn.list(i), insn.list(i).length - 1);
                    return List.of(listVariant(insn, i, longer), listVariant(insn, i, shorter));
                },
                " but ");
    }

    @Test
    void everyOpcodeWithARegisterListTakesItsTypesFromASignature() {
        // Guards the fixture: the list tests above only mean something if lists are checked
        // against a non-empty signature.
        for (Opcode op : Opcode.values()) {
            Instruction insn = valid(op);
            for (int i = 0; i < op.operands().size(); i++) {
                if (OpcodeFixture.isRegisterList(op, i)) {
                    assertTrue(insn.list(i).length > 0, op.mnemonic);
                }
            }
        }
        FuncType callee = module(body()).build().functionType(OpcodeFixture.CALLEE);
        assertTrue(!callee.params().isEmpty() && !callee.results().isEmpty());
    }

    private static int globalOperand(Opcode op) {
        for (int i = 0; i < op.operands().size(); i++) {
            if (op.operands().get(i).kind() == OperandKind.GLOBAL) {
                return i;
            }
        }
        throw new AssertionError(op + " has no global operand");
    }

    private static Instruction listVariant(Instruction insn, int i, int[][] lists) {
        long[] values = insn.operands().clone();
        values[i] = lists[i].length;
        return new Instruction(0, 0, insn.opcode(), values, lists);
    }

    @FunctionalInterface
    private interface OperandFilter {
        boolean test(Opcode op, int operand);
    }

    @FunctionalInterface
    private interface Mutation {
        List<Instruction> variants(Instruction valid, int operand);
    }

    /**
     * One dynamic test per (opcode, operand) that {@code filter} selects: each variant of the
     * valid instruction that {@code mutation} makes must be rejected at MAIN pc 0 with a reason
     * containing {@code reason} (where {@code %s} stands for the operand's type).
     */
    private static Stream<DynamicTest> forEachOperand(OperandFilter filter, Mutation mutation, String reason) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Opcode op : Opcode.values()) {
            for (int i = 0; i < op.operands().size(); i++) {
                if (!filter.test(op, i)) {
                    continue;
                }
                int operand = i;
                Operand o = op.operands().get(i);
                String expected = reason.formatted(o.type());
                tests.add(DynamicTest.dynamicTest(op.mnemonic + " operand " + i + " (" + o + ")", () -> {
                    Instruction valid = valid(op);
                    List<Instruction> variants = mutation.variants(valid, operand);
                    assertTrue(!variants.isEmpty(), "no variant to check");
                    for (Instruction variant : variants) {
                        ModuleBuilder.assertRejected(module(body(variant)).build(), MAIN, 0, expected);
                    }
                }));
            }
        }
        assertTrue(!tests.isEmpty(), "the filter selected no operand of any opcode");
        return tests.stream();
    }
}
