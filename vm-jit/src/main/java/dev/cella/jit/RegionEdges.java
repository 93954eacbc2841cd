package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The edges of a region method ({@link MethodEmitter.Mode#REGION}, see {@link RegionPlan}): the
 * prologue that enters it at an entry with that entry's registers loaded, and the way out that
 * stores back the registers written since, then returns the next code or passes a suspension on.
 *
 * <p>Each entry loads only the registers the code reachable from it touches ({@link
 * RegionPlan#entryLoads}); the others start as zeros that no path from that entry reads or
 * stores back. A region of an interpreter loop (Lua's {@code luaV_execute}) has several arms,
 * each entry reaching a few of them, so this loads about half the registers a load of the whole
 * region's would, on every crossing between regions. A region method made for on-stack
 * replacement ({@link MethodEmitter#regionOsr}) is entered at one leader only and loads and
 * stores all of the region's registers.
 */
final class RegionEdges {
    private RegionEdges() {}

    /** The prologue: registers, then a jump to the entry in the method's parameter slot 2. */
    static void prologue(MethodEmitter m) {
        MethodVisitor mv = m.mv;
        m.reloadFuel();
        if (m.osrInsn >= 0) {
            m.loadRegisters(List.of());
            m.commonPrologue();
            mv.visitInsn(ACONST_NULL);
            mv.visitVarInsn(ASTORE, m.suspension);
            mv.visitJumpInsn(GOTO, m.labelOf(m.osrInsn));
            return;
        }
        for (int r : m.used) {
            m.pushZero(m.code.registerType(r));
            m.store(r);
        }
        m.commonPrologue();
        mv.visitInsn(ACONST_NULL);
        mv.visitVarInsn(ASTORE, m.suspension);
        int[] entries = m.plan.entries(m.regionIndex);
        int[][] loads = m.plan.entryLoads(m.regionIndex);
        if (m.regionIndex == m.plan.hotRegion()) {
            sharedLoads(m, entries, loads);
            return;
        }
        Label[] cases = new Label[entries.length];
        for (int e = 0; e < entries.length; e++) {
            cases[e] = new Label();
        }
        mv.visitVarInsn(ILOAD, 2);
        mv.visitTableSwitchInsn(0, entries.length - 1, cases[0], cases);
        for (int e = 0; e < entries.length; e++) {
            mv.visitLabel(cases[e]);
            load(m, loads[e]);
            mv.visitJumpInsn(GOTO, m.entryLabel(entries[e]));
        }
    }

    private static void load(MethodEmitter m, int[] registers) {
        for (int r : registers) {
            m.mv.visitVarInsn(ALOAD, m.regsArray);
            m.push(r);
            m.mv.visitInsn(LALOAD);
            m.fromBits(m.code.registerType(r));
            m.store(r);
        }
    }

    /**
     * The hot region's entries ({@link RegionPlan#hotRegion}): most reach the whole loop, so
     * entries with equal sets share one sequence of loads, and a second switch on the entry then
     * jumps to it (a load sequence per entry would pass HotSpot's size limit).
     */
    private static void sharedLoads(MethodEmitter m, int[] entries, int[][] loads) {
        MethodVisitor mv = m.mv;
        Map<List<Integer>, Label> shared = new LinkedHashMap<>();
        Label[] cases = share(loads, shared);
        Label jump = new Label();
        mv.visitVarInsn(ILOAD, 2);
        mv.visitTableSwitchInsn(0, entries.length - 1, cases[0], cases);
        for (var set : shared.entrySet()) {
            mv.visitLabel(set.getValue());
            load(m, set.getKey().stream().mapToInt(Integer::intValue).toArray());
            mv.visitJumpInsn(GOTO, jump);
        }
        mv.visitLabel(jump);
        Label[] to = new Label[entries.length];
        for (int e = 0; e < entries.length; e++) {
            to[e] = m.entryLabel(entries[e]);
        }
        mv.visitVarInsn(ILOAD, 2);
        mv.visitTableSwitchInsn(0, entries.length - 1, to[0], to);
    }

    /**
     * One label per distinct register set of {@code sets} (by entry), put in {@code shared} in
     * first-seen order; returns each entry's label, so entries with equal sets share code.
     */
    private static Label[] share(int[][] sets, Map<List<Integer>, Label> shared) {
        Label[] cases = new Label[sets.length];
        for (int e = 0; e < sets.length; e++) {
            cases[e] = shared.computeIfAbsent(Arrays.stream(sets[e]).boxed().toList(), k -> new Label());
        }
        return cases;
    }

    /**
     * The way out (code or pc in {@code tmp}, {@link MethodEmitter#suspension} set if one passes
     * through): stores the registers the code reachable from the entry it came in at may have
     * written ({@link RegionPlan#entryStores}; entries with equal sets share their stores), then
     * returns the code, or adds the frame to the suspension and rethrows it.
     */
    static void leave(MethodEmitter m) {
        MethodVisitor mv = m.mv;
        if (m.osrInsn >= 0) {
            m.storeWritten();
        } else {
            int[] entries = m.plan.entries(m.regionIndex);
            int[][] stores = m.plan.entryStores(m.regionIndex);
            Map<List<Integer>, Label> shared = new LinkedHashMap<>();
            Label[] cases = share(stores, shared);
            Label done = new Label();
            mv.visitVarInsn(ILOAD, 2);
            mv.visitTableSwitchInsn(0, entries.length - 1, cases[0], cases);
            for (var set : shared.entrySet()) {
                mv.visitLabel(set.getValue());
                for (int r : set.getKey()) {
                    mv.visitVarInsn(ALOAD, m.regsArray);
                    m.push(r);
                    m.load(r);
                    m.toBits(m.code.registerType(r));
                    mv.visitInsn(LASTORE);
                }
                mv.visitJumpInsn(GOTO, done);
            }
            mv.visitLabel(done);
        }
        Label suspend = new Label();
        mv.visitVarInsn(ALOAD, m.suspension);
        mv.visitJumpInsn(IFNONNULL, suspend);
        mv.visitVarInsn(ILOAD, m.tmp);
        mv.visitInsn(IRETURN);
        mv.visitLabel(suspend);
        mv.visitVarInsn(ALOAD, m.suspension);
        mv.visitVarInsn(ALOAD, 0);
        m.push(m.code.index);
        mv.visitVarInsn(ALOAD, m.regsArray);
        mv.visitVarInsn(ILOAD, m.tmp);
        m.invokeStatic(MethodEmitter.RUNTIME, "suspendFrame", "(L" + MethodEmitter.SUSPEND + ";L" + MethodEmitter.CTX
                + ";I[JI)L" + MethodEmitter.SUSPEND + ";");
        mv.visitInsn(ATHROW);
    }
}
