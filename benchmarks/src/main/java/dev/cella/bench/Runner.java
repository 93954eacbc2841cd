package dev.cella.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.wasm.WasmImporter;
import java.io.OutputStream;
import java.util.List;

/** Runs one workload on one runtime; built once per benchmark trial. */
public interface Runner {
    /** Runs the workload on {@code input} and returns its checksum as raw bits. */
    long run(long input);

    /**
     * Builds the runner and checks its answer on the workload's input against plain Java's, so a
     * wrong result can never look fast.
     */
    static Runner create(Workload w, Contender runtime) {
        Runner r = switch (runtime) {
            case JAVA -> w::runJava;
            case CELLA_INTERP -> cella(w, assembled(w), EngineKind.INTERP);
            case CELLA_JIT -> cella(w, assembled(w), EngineKind.JIT);
            case CELLA_WASM_INTERP -> cella(w, WasmImporter.translate(w.wasmBinary()), EngineKind.INTERP);
            case CELLA_WASM_JIT -> cella(w, WasmImporter.translate(w.wasmBinary()), EngineKind.JIT);
            case CHICORY_INTERP -> chicory(w, false);
            case CHICORY_COMPILER -> chicory(w, true);
        };
        long want = w.runJava(w.input);
        long got = r.run(w.input);
        if (got != want) {
            throw new IllegalStateException(w + " on " + runtime + " returned " + got + ", expected " + want);
        }
        return r;
    }

    /** Fuel budget of a run: far more than any benchmark call needs, so it never runs out. */
    long FUEL = Long.MAX_VALUE / 2;

    /** The hand-written Cella assembly version, verified. */
    static Module assembled(Workload w) {
        Module module = Assembler.assemble(w.casmSource(), w.export() + ".casm");
        Verifier.verify(module);
        return module;
    }

    static Runner cella(Workload w, Module module, EngineKind engine) {
        CellConfig config = CellConfig.builder()
                .engine(engine)
                .fuel(FUEL)
                // One cell serves every call of a benchmark: its output, all to a null sink, must
                // not run into the default output quota.
                .maxOutput(Long.MAX_VALUE)
                .stdout(OutputStream.nullOutputStream())
                .stderr(OutputStream.nullOutputStream())
                .build();
        Cell cell = Cell.create(module, config);
        String export = w.export();
        return n -> cell.call(export, n)[0];
    }

    static Runner chicory(Workload w, boolean compiled) {
        WasmModule module = Parser.parse(w.wasmBinary());
        var builder = Instance.builder(module).withImportValues(ImportValues.builder()
                .addFunction(nullFdWrite())
                .build());
        if (compiled) {
            builder = builder.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        Instance instance = builder.build();
        ExportFunction f = instance.export(w.export());
        return n -> f.apply(n)[0];
    }

    /** WASI fd_write for Chicory that writes to a null sink: stores the byte count, returns 0. */
    private static HostFunction nullFdWrite() {
        OutputStream sink = OutputStream.nullOutputStream();
        return new HostFunction("wasi_snapshot_preview1", "fd_write",
                FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32)),
                (inst, args) -> {
                    var mem = inst.memory();
                    int iovs = (int) args[1];
                    int count = (int) args[2];
                    int total = 0;
                    for (int i = 0; i < count; i++) {
                        int buf = mem.readInt(iovs + 8 * i);
                        int len = mem.readInt(iovs + 8 * i + 4);
                        byte[] bytes = mem.readBytes(buf, len);
                        try {
                            sink.write(bytes);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        total += len;
                    }
                    mem.writeI32((int) args[3], total);
                    return new long[] {0};
                });
    }
}
