package dev.cella.vm.interp;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;

/** A verified test module with one instance and an interpreter, called by export name. */
final class Guest {
    final Module module;
    final Instance instance;
    final Interpreter engine;

    Guest(String source, ImportResolver imports, InstanceOptions options) {
        this.module = Assembler.assemble(source, "guest.casm");
        Verifier.verify(module);
        this.engine = new Interpreter(module);
        this.instance = new Instance(module, imports, options);
    }

    Guest(String source, InstanceOptions options) {
        this(source, ImportResolver.NONE, options);
    }

    Guest(String source) {
        this(source, InstanceOptions.defaults());
    }

    /** Calls the function exported (or named) {@code name}. */
    long[] call(String name, long... args) {
        return engine.invoke(instance, function(name), args);
    }

    /** The single result of {@link #call}. */
    long call1(String name, long... args) {
        long[] r = call(name, args);
        if (r.length != 1) {
            throw new AssertionError(name + " returned " + r.length + " values");
        }
        return r[0];
    }

    /** The index of the function exported as {@code name}. */
    int function(String name) {
        int f = instance.exportedFunction(name);
        if (f < 0) {
            throw new AssertionError("no export " + name);
        }
        return f;
    }

    /** The byte pc of the {@code occurrence}-th (from 0) instruction {@code op} in function {@code function}. */
    int pcOf(int function, Opcode op, int occurrence) {
        CodeReader reader = new CodeReader(module.function(function).code(), 0);
        int seen = 0;
        while (reader.hasNext()) {
            Instruction insn = reader.next();
            if (insn.opcode() == op && seen++ == occurrence) {
                return insn.pc();
            }
        }
        throw new AssertionError("function " + function + " has no " + op.mnemonic + " #" + occurrence);
    }

    int pcOf(String export, Opcode op, int occurrence) {
        return pcOf(function(export), op, occurrence);
    }
}
