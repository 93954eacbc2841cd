package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.LinkException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cell shares no memory or global with anything (its host provides functions only), so a module
 * that imports one is refused at creation with a link error naming the import: a cell never
 * holds state that another instance could change behind a checkpoint's back.
 */
class SharedStateImportsTest {
    @Test
    void aCellRefusesAModuleThatImportsAMemoryOrAGlobal() {
        for (String declaration : List.of("memory 1 import \"env\" \"mem\"", "global g: i32 mut import \"env\" \"g\"")) {
            Module m = Assembler.assemble(declaration + "\nexport func main \"_start\"\nfunc main() {\n    ret\n}\n",
                    "shared.casm");
            Verifier.verify(m);
            LinkException e = assertThrows(LinkException.class, () -> Cell.create(m, CellConfig.builder().build()));
            assertTrue(e.getMessage().contains("missing import env."), e.getMessage());
        }
    }
}
