package dev.cella.tools;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.text.Disassembler;
import dev.cella.isa.verify.Verifier;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands that work on a module without running it: {@code asm}, {@code disasm},
 * {@code verify} and {@code inspect}. Each reads one module file ({@link ModuleFiles}) and lets
 * its failures propagate to {@link Failures}, which names the file and picks the exit code.
 */
final class ModuleCommands {
    private ModuleCommands() {}

    /**
     * A command that turns one input file into a binary module ({@code asm}, {@code import}):
     * reads the input, makes the module ({@link #translate}), and writes it to {@code -o} or,
     * by default, next to the input with its suffix replaced by {@code .cel}.
     */
    abstract static class ToBinary implements Callable<Integer>, Cella.FileCommand {
        @Spec
        CommandSpec spec;

        @Mixin
        Cella.HelpOption helpOption;

        /** The input file as given. */
        abstract String input();

        /** The {@code -o} file, or null for the default. */
        abstract String output();

        /** The input suffix the default output name replaces ({@code .casm}, {@code .wasm}). */
        abstract String inputSuffix();

        /**
         * The module {@code bytes} (the input's contents) hold.
         *
         * @throws ParameterException if the input is not of this command's kind
         */
        abstract Module translate(byte[] bytes);

        @Override
        public String file() {
            return input();
        }

        @Override
        public Integer call() {
            Module module = translate(ModuleFiles.read(input()));
            ModuleFiles.write(output() != null ? output() : defaultOutput(input(), inputSuffix()),
                    ModuleWriter.write(module));
            return ExitCode.OK.code;
        }

        /** {@code x.casm} becomes {@code x.cel} (for suffix {@code .casm}); any other name gets {@code .cel} appended. */
        static String defaultOutput(String input, String suffix) {
            return (input.endsWith(suffix) ? input.substring(0, input.length() - suffix.length()) : input) + ".cel";
        }
    }

    /** {@code cella asm}: assembles a text module into a binary module. */
    @Command(name = "asm", description = {
            "Assembles a .casm text module into a .cel binary module.",
            "The module is verified first, unless --no-verify is given."})
    static final class Asm extends ToBinary {
        @Parameters(index = "0", paramLabel = "FILE.casm", description = "The assembly text to assemble (UTF-8).")
        String input;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE.cel",
                description = "Where to write the binary (default: FILE with .casm replaced by .cel).")
        String output;

        @Option(names = "--no-verify", description = "Write the binary even if the module fails verification.")
        boolean noVerify;

        @Override
        String input() {
            return input;
        }

        @Override
        String output() {
            return output;
        }

        @Override
        String inputSuffix() {
            return ".casm";
        }

        @Override
        Module translate(byte[] bytes) {
            if (ModuleFiles.isBinary(input, bytes)) {
                throw new ParameterException(spec.commandLine(), input + " is a binary module already; asm takes .casm text");
            }
            Module module = Assembler.assemble(ModuleFiles.decodeText(input, bytes), input);
            if (!noVerify) {
                Verifier.verify(module);
            }
            return module;
        }
    }

    /** {@code cella disasm}: prints a binary module as assembly text. */
    @Command(name = "disasm", description = {
            "Disassembles a .cel binary module into .casm text.",
            "The text assembles back to the same bytes. The module is not verified, so invalid modules "
                + "can be looked at too. A .casm input is assembled first, which shows the text in its canonical form."})
    static final class Disasm implements Callable<Integer>, Cella.FileCommand {
        private final Cella.Console console;

        @Mixin
        Cella.HelpOption helpOption;

        @Parameters(index = "0", paramLabel = "FILE", description = "The module: a .cel binary (or .casm text).")
        String input;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE.casm",
                description = "Where to write the text (default: standard output).")
        String output;

        Disasm(Cella.Console console) {
            this.console = console;
        }

        @Override
        public String file() {
            return input;
        }

        @Override
        public Integer call() {
            String text = Disassembler.disassemble(ModuleFiles.load(input).module());
            if (output == null) {
                console.out().print(text);
            } else {
                ModuleFiles.write(output, text.getBytes(StandardCharsets.UTF_8));
            }
            return ExitCode.OK.code;
        }
    }

    /** {@code cella verify}: checks that a module is valid. */
    @Command(name = "verify", description = {
            "Checks that a module is well-formed and valid.",
            "Prints OK and a one-line summary. An invalid module exits with code 67 and a message naming "
                + "the function and pc of the first problem."})
    static final class Verify implements Callable<Integer>, Cella.FileCommand {
        private final Cella.Console console;

        @Mixin
        Cella.HelpOption helpOption;

        @Parameters(index = "0", paramLabel = "FILE", description = "The module to check: .cel binary or .casm text.")
        String input;

        Verify(Cella.Console console) {
            this.console = console;
        }

        @Override
        public String file() {
            return input;
        }

        @Override
        public Integer call() {
            ModuleFiles.Loaded loaded = ModuleFiles.load(input);
            Verifier.verify(loaded.module());
            console.out().println("OK " + input + ": " + ModuleReport.summary(loaded.module()));
            return ExitCode.OK.code;
        }
    }

    /** {@code cella inspect}: describes the contents of a module. */
    @Command(name = "inspect", description = {
            "Describes the contents of a module.",
            "Lists its sections with offsets and sizes in bytes, types, imports, functions (registers, "
                + "code bytes, instructions), memory, globals, tables, element and data segments, exports and "
                + "start function. A .casm input is described as the binary it assembles to. The module is not verified."})
    static final class Inspect implements Callable<Integer>, Cella.FileCommand {
        private final Cella.Console console;

        @Mixin
        Cella.HelpOption helpOption;

        @Parameters(index = "0", paramLabel = "FILE", description = "The module to describe: .cel binary or .casm text.")
        String input;

        Inspect(Cella.Console console) {
            this.console = console;
        }

        @Override
        public String file() {
            return input;
        }

        @Override
        public Integer call() {
            ModuleFiles.Loaded loaded = ModuleFiles.load(input);
            byte[] binary = loaded.binary() ? loaded.bytes() : ModuleWriter.write(loaded.module());
            console.out().print(ModuleReport.describe(input, loaded, binary));
            return ExitCode.OK.code;
        }
    }
}
