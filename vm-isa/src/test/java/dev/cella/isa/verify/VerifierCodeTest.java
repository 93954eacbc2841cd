package dev.cella.isa.verify;

import static dev.cella.isa.Opcode.BR;
import static dev.cella.isa.Opcode.BR_IF;
import static dev.cella.isa.Opcode.I32_ADD;
import static dev.cella.isa.Opcode.I32_CONST;
import static dev.cella.isa.Opcode.I32_GLOBAL_GET;
import static dev.cella.isa.Opcode.I32_GLOBAL_SET;
import static dev.cella.isa.Opcode.I32_LOAD;
import static dev.cella.isa.Opcode.I64_CONST;
import static dev.cella.isa.Opcode.NOP;
import static dev.cella.isa.Opcode.UNREACHABLE;
import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.VerifyException;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Names;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rejections inside function bodies and function headers: each names the function, pc and reason. */
class VerifierCodeTest {
    private final ModuleBuilder m = new ModuleBuilder();

    /** A () -> () function with registers r0: i32, r1: i64, r2: i32 and the given body. */
    private int function(Body body) {
        return m.function(List.of(), List.of(), List.of(I32, I64, I32), body.bytes());
    }

    @Test
    void rejectsBranchIntoTheMiddleOfAnInstruction() {
        Body b = new Body().op(I32_CONST, 0, 1);
        int branch = b.pc();
        b.op(BR_IF, 0, 1).ret();
        int f = function(b);
        m.assertRejected(f, branch, "branch target 1 is not the start of an instruction");
    }

    @Test
    void rejectsBranchPastTheEndOfTheFunction() {
        Body b = new Body().op(BR, 5);
        byte[] code = b.bytes();
        assertEquals(5, code.length, "br is 1 + 4 bytes");
        int f = function(b);
        m.assertRejected(f, 0, "branch target 5 is outside the function body (5 bytes)");
    }

    @Test
    void rejectsBranchIntoAnotherFunction() {
        // pc 7 is an instruction start in the first function but lies past the second one's end.
        Body first = new Body().op(I32_CONST, 0, 1).op(I32_CONST, 0, 2);
        int target = first.pc();
        first.op(NOP).ret();
        function(first);
        Body second = new Body().op(BR, target);
        int f = function(second);
        m.assertRejected(f, 0, "branch target " + target + " is outside the function body");
    }

    @Test
    void acceptsBranchesToTheFirstAndTheLastInstruction() {
        // A dry run finds the pc of the last instruction; labels are fixed-size, so it is the same.
        int last = new Body().op(I32_CONST, 0, 1).op(BR_IF, 0, 0).op(BR_IF, 0, 0).pc();
        Body b = new Body().op(I32_CONST, 0, 1).op(BR_IF, 0, 0).op(BR_IF, 0, last).ret();
        function(b);
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void rejectsBranchTableTargetIntoTheMiddleOfAnInstruction() {
        Body b = new Body().op(I32_CONST, 0, 3);
        int table = b.pc();
        b.brTable(0, new int[] {0, 2, 0}, 0);
        int f = function(b);
        m.assertRejected(f, table, "branch target 2 is not the start of an instruction");
    }

    @Test
    void rejectsBranchTableDefaultPastTheEnd() {
        Body b = new Body().op(I32_CONST, 0, 3);
        int table = b.pc();
        b.brTable(0, new int[] {0}, 1000);
        int f = function(b);
        m.assertRejected(f, table, "branch target 1000 is outside the function body");
    }

    @Test
    void acceptsAnEmptyBranchTable() {
        function(new Body().op(I32_CONST, 0, 3).brTable(0, new int[0], 0));
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void rejectsFallingOffTheEnd() {
        Body b = new Body().op(I32_CONST, 0, 1);
        int last = b.pc();
        b.op(I32_ADD, 0, 0, 0);
        int f = function(b);
        m.assertRejected(f, last, "control falls off the end of the function after i32.add");
    }

    @Test
    void rejectsFallingOffTheEndAfterAConditionalBranch() {
        Body b = new Body().op(I32_CONST, 0, 1);
        int last = b.pc();
        b.op(BR_IF, 0, 0);
        int f = function(b);
        VerifyException e = m.assertRejected(f, last, "falls off the end");
        assertTrue(e.reason().contains("unreachable, br, br_table, ret"), e.getMessage());
    }

    @Test
    void rejectsFallingOffTheEndAfterACall() {
        int callee = m.emptyFunction();
        Body b = new Body();
        b.call(callee, new int[0], new int[0]);
        int f = function(b);
        m.assertRejected(f, 0, "falls off the end of the function after call");
    }

    @Test
    void acceptsEveryTerminatorAsTheLastInstruction() {
        function(new Body().op(UNREACHABLE));
        function(new Body().op(BR, 0));
        function(new Body().op(I32_CONST, 0, 0).brTable(0, new int[] {0}, 0));
        function(new Body().ret());
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void rejectsAnEmptyBody() {
        int f = m.function(List.of(), List.of(), List.of(), new byte[0]);
        m.assertRejected(f, -1, "has an empty body");
    }

    @Test
    void rejectsAMissingBody() {
        int f = m.function(List.of(), List.of(), List.of(), null);
        m.assertRejected(f, -1, "has an empty body");
    }

    @Test
    void rejectsAnUnknownOpcode() {
        int f = m.function(List.of(), List.of(), List.of(), new Body().op(NOP).bytesThen(0xFF, 0x01));
        m.assertRejected(f, 1, "malformed instruction: unknown opcode 0xff");
    }

    @Test
    void rejectsATruncatedInstruction() {
        int f = m.function(List.of(), List.of(), List.of(I64), new Body().ret().bytesThen(I64_CONST.code, 0));
        m.assertRejected(f, 2, "malformed instruction: unexpected end of input");
    }

    @Test
    void rejectsARegisterIndexOutOfRange() {
        Body b = new Body().op(I32_CONST, 0, 1);
        int add = b.pc();
        b.op(I32_ADD, 0, 0, 5).ret();
        int f = function(b);
        m.assertRejected(f, add, "operand 2 of i32.add is register r5, out of range (the function has 3 registers)");
    }

    @Test
    void rejectsARegisterOfTheWrongType() {
        Body b = new Body().op(I32_CONST, 0, 1);
        int add = b.pc();
        b.op(I32_ADD, 2, 0, 1).ret();
        int f = function(b);
        m.assertRejected(f, add, "operand 2 of i32.add is register r1 of type i64, but i32 is required");
    }

    @Test
    void rejectsAWrittenRegisterOfTheWrongType() {
        int f = function(new Body().op(I32_CONST, 1, 7).ret());
        m.assertRejected(f, 0, "operand 0 of i32.const is register r1 of type i64, but i32 is required");
    }

    @Test
    void namesTheRegisterAndFunctionFromTheNamesSection() {
        int f = function(new Body().op(I32_CONST, 1, 7).ret());
        m.names = new Names(Map.of(f, "main"), Map.of(f, Map.of(1, "count")), Map.of());
        VerifyException e = m.assertRejected(f, 0, "register r1 (count) of type i64");
        assertTrue(e.getMessage().startsWith("invalid main (function 0) at pc 0: "), e.getMessage());
    }

    @Test
    void countsImportsInTheFunctionIndex() {
        m.importFunction("env", "a", List.of(), List.of());
        m.importFunction("env", "b", List.of(I32), List.of());
        m.emptyFunction();
        int f = function(new Body().op(I32_CONST, 1, 7).ret());
        assertEquals(3, f);
        m.assertRejected(f, 0, "i32.const");
    }

    @Test
    void rejectsCallToAFunctionOutOfRange() {
        Body b = new Body().op(NOP);
        b.call(9, new int[0], new int[0]).ret();
        int f = function(b);
        m.assertRejected(f, 1, "call names function 9, out of range (the module has 1 function)");
    }

    @Test
    void rejectsCallWithTooFewArguments() {
        int callee = m.function(List.of(I32, I32), List.of(I32), List.of(), new Body().ret(0).bytes());
        int f = function(new Body().call(callee, new int[] {0}, new int[] {0}).ret());
        m.assertRejected(f, 0, "call lists 1 argument but function 0 of type (i32, i32) -> (i32) has 2 parameters");
    }

    @Test
    void rejectsCallWithAnArgumentOfTheWrongType() {
        int callee = m.function(List.of(I32, I32), List.of(I32), List.of(), new Body().ret(0).bytes());
        int f = function(new Body().call(callee, new int[] {0, 1}, new int[] {0}).ret());
        m.assertRejected(f, 0, "argument 1 of call is register r1 of type i64, but i32 is required");
    }

    @Test
    void rejectsCallWithTooManyResults() {
        int callee = m.function(List.of(I32, I32), List.of(I32), List.of(), new Body().ret(0).bytes());
        int f = function(new Body().call(callee, new int[] {0, 2}, new int[] {0, 2}).ret());
        m.assertRejected(f, 0, "call lists 2 results but function 0 of type (i32, i32) -> (i32) has 1 result");
    }

    @Test
    void rejectsACallThatWritesOneRegisterTwice() {
        int callee = m.function(List.of(), List.of(I32, I32), List.of(I32), new Body().op(I32_CONST, 0, 1).ret(0, 0).bytes());
        int f = function(new Body().call(callee, new int[0], new int[] {2, 2}).ret());
        m.assertRejected(f, 0, "call writes register 2 twice (results 0 and 1)");
    }

    @Test
    void rejectsCallOfAHostImportWithAResultOfTheWrongType() {
        int host = m.importFunction("env", "clock", List.of(), List.of(I64));
        int f = function(new Body().call(host, new int[0], new int[] {0}).ret());
        m.assertRejected(f, 0, "result 0 of call is register r0 of type i32, but i64 is required");
    }

    @Test
    void acceptsCallsToImportsAndDefinedFunctions() {
        int host = m.importFunction("env", "clock", List.of(), List.of(I64));
        int callee = m.function(List.of(I32, I32), List.of(I32), List.of(), new Body().ret(0).bytes());
        function(new Body().call(host, new int[0], new int[] {1}).call(callee, new int[] {0, 2}, new int[] {2}).ret());
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void rejectsCallIndirectWithATypeIndexOutOfRange() {
        m.table(1, Limits.NONE);
        int f = function(new Body().callIndirect(7, 0, 0, new int[0], new int[0]).ret());
        m.assertRejected(f, 0, "call_indirect names type 7, out of range (the module has 1 type)");
    }

    @Test
    void rejectsCallIndirectWithATableIndexOutOfRange() {
        int f = function(new Body().callIndirect(0, 0, 0, new int[0], new int[0]).ret());
        m.assertRejected(f, 0, "call_indirect names table 0, out of range (the module has 0 tables)");
    }

    @Test
    void rejectsCallIndirectWithAnI64Index() {
        m.table(1, Limits.NONE);
        int f = function(new Body().callIndirect(0, 0, 1, new int[0], new int[0]).ret());
        m.assertRejected(f, 0, "operand 2 of call_indirect is register r1 of type i64, but i32 is required");
    }

    @Test
    void rejectsCallIndirectWhoseArgumentsDoNotMatchTheType() {
        m.table(1, Limits.NONE);
        int t = m.type(List.of(I64), List.of(I32));
        int f = function(new Body().callIndirect(t, 0, 0, new int[] {0}, new int[] {0}).ret());
        m.assertRejected(f, 0, "argument 0 of call_indirect is register r0 of type i32, but i64 is required");
    }

    @Test
    void rejectsRetWithTooFewValues() {
        int f = m.function(List.of(I32), List.of(I32, F32), List.of(), new Body().ret(0).bytes());
        m.assertRejected(f, 0, "ret lists 1 return value but the function's type (i32) -> (i32, f32) has 2 results");
    }

    @Test
    void rejectsRetWithAValueOfTheWrongType() {
        int f = m.function(List.of(I32, I64), List.of(I32, I32), List.of(), new Body().ret(0, 1).bytes());
        m.assertRejected(f, 0, "return value 1 of ret is register r1 of type i64, but i32 is required");
    }

    @Test
    void rejectsGlobalGetOfAGlobalOutOfRange() {
        m.global(I32, true, 0);
        int f = function(new Body().op(I32_GLOBAL_GET, 0, 1).ret());
        m.assertRejected(f, 0, "i32.global_get names global 1, out of range (the module has 1 global)");
    }

    @Test
    void rejectsGlobalGetOfAGlobalOfTheWrongType() {
        m.global(I64, true, 0);
        int f = function(new Body().op(I32_GLOBAL_GET, 0, 0).ret());
        m.assertRejected(f, 0, "i32.global_get needs a global of type i32 but global g0 has type i64");
    }

    @Test
    void rejectsGlobalSetOfAnImmutableGlobal() {
        m.global(I32, false, 0);
        m.names = new Names(Map.of(), Map.of(), Map.of(0, "limit"));
        int f = function(new Body().op(I32_GLOBAL_SET, 0, 0).ret());
        m.assertRejected(f, 0, "i32.global_set writes global g0 (limit), which is immutable");
    }

    @Test
    void acceptsGlobalGetOfAnImmutableGlobal() {
        m.global(I32, false, 0);
        function(new Body().op(I32_GLOBAL_GET, 0, 0).ret());
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void rejectsALoadWithoutAMemory() {
        Body b = new Body().op(I32_CONST, 0, 0);
        int load = b.pc();
        b.op(I32_LOAD, 0, 0, 0).ret();
        int f = function(b);
        m.assertRejected(f, load, "i32.load needs a memory but the module has none");
    }

    @Test
    void rejectsAFunctionWithATypeIndexOutOfRange() {
        m.emptyFunction();
        int f = m.rawFunction(4, List.of(), new Body().ret().bytes());
        m.assertRejected(f, -1, "type index 4 is out of range (the module has 1 type)");
    }

    @Test
    void rejectsRegistersThatDoNotStartWithTheParameters() {
        int t = m.type(List.of(I32, I64), List.of());
        int f = m.rawFunction(t, List.of(I32, F32, I64), new Body().ret().bytes());
        m.assertRejected(f, -1, "register r1 has type f32 but parameter 1 of its type (i32, i64) -> () is i64");
    }

    @Test
    void rejectsFewerRegistersThanParameters() {
        int t = m.type(List.of(I32, I64), List.of());
        int f = m.rawFunction(t, List.of(I32), new Body().ret().bytes());
        m.assertRejected(f, -1, "declares 1 register but its type (i32, i64) -> () has 2 parameters");
    }

    @Test
    void rejectsMoreRegistersThanTheLimit() {
        List<ValType> registers = Collections.nCopies(CodeReader.MAX_REGISTERS + 1, I32);
        int f = m.rawFunction(m.type(List.of(), List.of()), registers, new Body().ret().bytes());
        m.assertRejected(f, -1, "declares 65537 registers, over the limit of 65536");
    }

    @Test
    void acceptsExactlyTheMaximumNumberOfRegisters() {
        List<ValType> registers = Collections.nCopies(CodeReader.MAX_REGISTERS, I32);
        Body b = new Body().op(I32_CONST, CodeReader.MAX_REGISTERS - 1, 1).ret();
        m.rawFunction(m.type(List.of(), List.of()), registers, b.bytes());
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void rejectsABodyOverTheSizeLimit() {
        byte[] code = new byte[Verifier.MAX_CODE_BYTES + 1];
        Arrays.fill(code, (byte) NOP.code);
        code[code.length - 1] = (byte) UNREACHABLE.code;
        int f = m.function(List.of(), List.of(), List.of(), code);
        m.assertRejected(f, -1, "has a body of 1048577 bytes, over the limit of 1048576 bytes (1 MiB)");
    }

    @Test
    void acceptsABodyOfExactlyTheSizeLimit() {
        byte[] code = new byte[Verifier.MAX_CODE_BYTES];
        Arrays.fill(code, (byte) NOP.code);
        code[code.length - 1] = (byte) UNREACHABLE.code;
        m.function(List.of(), List.of(), List.of(), code);
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void checksEveryFunctionNotOnlyTheFirst() {
        m.emptyFunction();
        m.emptyFunction();
        int f = function(new Body().op(Opcode.I64_CONST, 0, 1).ret());
        m.assertRejected(f, 0, "operand 0 of i64.const is register r0 of type i32, but i64 is required");
    }
}
