package dev.cella.isa.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.cella.isa.ModuleGen;
import dev.cella.isa.Opcode;
import dev.cella.isa.code.CodeWriter;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import org.junit.jupiter.api.Test;

/** The block map of small functions written out by hand, and its invariants on generated bodies. */
class BlockMapTest {
    private static BlockMap map(String source, int function) {
        Module m = Assembler.assemble(source, "test.casm");
        return BlockMap.of(m.function(function).code());
    }

    private static final String LOOP = """
            func count(n: i32) -> i32 {
                reg acc: i32, one: i32
                i32.const acc, 0
                i32.const one, 1
            loop:
                i32.br_eq n, acc, done
                nop
                i32.sub n, n, one
                br loop
            done:
                ret acc
            }
            """;

    @Test
    void leadersArePcZeroBranchTargetsAndWhatFollowsABranch() {
        BlockMap b = map(LOOP, 0);
        assertEquals(7, b.instructionCount());
        assertEquals(4, b.blockCount());
        assertArrayEquals(new int[] {0, 2, 3, 6}, b.leaderInstructions());
        for (int k = 0; k < b.blockCount(); k++) {
            assertEquals(b.instruction(b.leaderInstruction(k)).pc(), b.leaderPc(k));
            assertEquals(k, b.blockAt(b.leaderPc(k)));
            assertEquals(k, b.leaderIndex(b.leaderInstruction(k)));
        }
        assertEquals(-1, b.leaderIndex(1));
        assertEquals(-1, b.blockAt(b.instruction(1).pc()), "a pc inside a block starts none");
        assertTrue(b.isBranchTarget(2) && b.isBranchTarget(6));
        assertFalse(b.isBranchTarget(3), "it leads a block only because a branch precedes it");
    }

    @Test
    void aBlockCostsOneUnitPerInstructionNopIncluded() {
        BlockMap b = map(LOOP, 0);
        assertArrayEquals(new int[] {2, 1, 3, 1}, b.costs());
        assertEquals(b.instructionCount(), java.util.Arrays.stream(b.costs()).sum());
    }

    @Test
    void successorsAreTheTargetsThenTheFallThrough() {
        BlockMap b = map(LOOP, 0);
        assertArrayEquals(new int[] {1}, b.successors(0));
        assertArrayEquals(new int[] {3, 2}, b.successors(1), "the branch's target, then the next block");
        assertArrayEquals(new int[] {1}, b.successors(2), "br does not fall through");
        assertArrayEquals(new int[0], b.successors(3), "ret has none");
    }

    @Test
    void checkSitesArePcZeroAndBackwardBranchTargetsEachChargedTheLongestRunToTheNext() {
        BlockMap b = map(LOOP, 0);
        assertTrue(b.isCheckSite(0));
        assertTrue(b.isCheckSite(1), "the loop header, target of br loop");
        assertFalse(b.isCheckSite(2));
        assertFalse(b.isCheckSite(3), "a forward branch target");
        // From the header: header, body, back to the header (a check site); or header, done, ret.
        assertArrayEquals(new int[] {1, 2, 0, 0}, b.pollCosts());
    }

    @Test
    void aCallEndsItsBlockAndABranchTableListsEveryTargetInOperandOrder() {
        BlockMap b = map("""
                func f(x: i32) -> i32 {
                    call g, (x), (x)
                    br_table x, [a, b, a], b
                a:
                    ret x
                b:
                    ret x
                }
                func g(y: i32) -> i32 {
                    ret y
                }
                """, 0);
        assertEquals(4, b.blockCount());
        assertArrayEquals(new int[] {1}, b.successors(0), "a call returns to the next block");
        assertArrayEquals(new int[] {2, 3, 2, 3}, b.successors(1), "duplicates kept, the default last");
        int[] targets = BlockMap.targets(b.instruction(1));
        assertArrayEquals(new int[] {b.leaderPc(2), b.leaderPc(3), b.leaderPc(2), b.leaderPc(3)}, targets);
        assertArrayEquals(new int[0], BlockMap.targets(b.instruction(0)), "a call is no branch");
        assertArrayEquals(new int[] {3, 0, 0, 0}, b.pollCosts(), "no loop: pc 0 pays for the longest path");
    }

    @Test
    void aSelfLoopIsItsOwnCheckSite() {
        BlockMap b = map("""
                func spin(n: i32) {
                    reg one: i32
                    i32.const one, 1
                top:
                    i32.sub n, n, one
                    br_if n, top
                    ret
                }
                """, 0);
        assertArrayEquals(new int[] {1, 2, 1}, b.costs());
        assertArrayEquals(new int[] {1, 2}, b.successors(1));
        assertArrayEquals(new int[] {1, 2, 0}, b.pollCosts());
    }

    @Test
    void rejectsABranchIntoTheMiddleOfAnInstruction() {
        CodeWriter w = new CodeWriter();
        w.write(Opcode.BR, new long[] {1}, new int[1][]);
        w.write(Opcode.RET, new long[] {0}, new int[][] {{}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockMap.of(w.toByteArray()));
        assertTrue(e.getMessage().contains("pc 0 targets pc 1"), e.getMessage());
    }

    @Test
    void arrayResultsAreCopies() {
        BlockMap b = map(LOOP, 0);
        b.costs()[0] = 99;
        b.successors()[1][0] = 99;
        b.successors(1)[0] = 99;
        b.instructions()[0] = null;
        assertEquals(2, b.cost(0));
        assertEquals(3, b.successors(1)[0]);
        assertEquals(Opcode.I32_CONST, b.instruction(0).opcode());
    }

    /**
     * On every body ModuleGen makes (branch targets are instruction pcs, the last instruction is
     * a ret): blocks partition the instructions, costs add up to the instruction count, leaders
     * are exactly pc 0, branch targets and the successors of block enders, successors follow the
     * rule, and each check site's poll cost is the longest run of blocks to the next check site or
     * a return, computed here by brute force over paths.
     */
    @Test
    void onGeneratedBodiesTheMapFollowsItsDefinition() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200)).forAll(ModuleGen.modules())
                .checkAssert(m -> {
                    for (int f = m.imports().size(); f < m.functionCount(); f++) {
                        checkDefinition(BlockMap.of(m.function(f).code()));
                    }
                });
    }

    private static void checkDefinition(BlockMap b) {
        int n = b.instructionCount();
        boolean[] leader = new boolean[n];
        leader[0] = true;
        for (int i = 0; i < n; i++) {
            Instruction in = b.instruction(i);
            if (in.opcode().endsBlock() && i + 1 < n) {
                leader[i + 1] = true;
            }
            for (int t : BlockMap.targets(in)) {
                leader[b.instructionAt(t)] = true;
            }
        }
        int blocks = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(leader[i], b.isLeader(i), "leader at instruction " + i);
            blocks += leader[i] ? 1 : 0;
        }
        assertEquals(blocks, b.blockCount());
        boolean[] site = new boolean[blocks];
        site[0] = true;
        for (int i = 0; i < n; i++) {
            for (int t : BlockMap.targets(b.instruction(i))) {
                site[b.blockAt(t)] |= t <= b.instruction(i).pc();
            }
        }
        int[] memo = new int[blocks];
        int sum = 0;
        for (int k = 0; k < blocks; k++) {
            assertEquals(site[k], b.isCheckSite(k), "check site " + k);
            assertEquals(b.blockEnd(k) - b.leaderInstruction(k), b.cost(k));
            sum += b.cost(k);
            Instruction last = b.instruction(b.blockEnd(k) - 1);
            int[] targets = BlockMap.targets(last);
            int[] succ = b.successors(k);
            boolean falls = !last.opcode().isTerminator() && k + 1 < blocks;
            assertEquals(targets.length + (falls ? 1 : 0), succ.length);
            for (int t = 0; t < targets.length; t++) {
                assertEquals(targets[t], b.leaderPc(succ[t]));
                if (targets[t] <= last.pc()) {
                    assertTrue(b.isCheckSite(succ[t]), "a backward target is a check site");
                }
            }
            assertEquals(site[k] ? longestRun(b, k, memo) : 0, b.pollCost(k), "poll cost of block " + k);
        }
        assertEquals(n, sum);
    }

    /**
     * The most blocks that can run from {@code k} before control reaches a check site (other than
     * {@code k} itself) or returns: a search over paths, remembered per block ({@code memo}, 0 when
     * not yet known). Paths between check sites cannot cycle: a cycle has a backward branch.
     */
    private static int longestRun(BlockMap b, int k, int[] memo) {
        if (memo[k] == 0) {
            int most = 0;
            for (int s : b.successors(k)) {
                if (!b.isCheckSite(s)) {
                    most = Math.max(most, longestRun(b, s, memo));
                }
            }
            memo[k] = 1 + most;
        }
        return memo[k];
    }
}
