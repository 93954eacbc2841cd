package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/cli.md's exit-code table names exactly the codes of {@link ExitCode}, with their numbers. */
class ExitCodeDocTest {
    @Test
    void theDocumentedTableListsEveryExitCodeByNumberAndName() throws IOException {
        Path examples = Path.of(System.getProperty("cella.examples", "../examples"));
        String doc = Files.readString(examples.resolveSibling("docs").resolve("cli.md"));
        String section = doc.substring(doc.indexOf("## Exit codes"));
        Map<String, Integer> documented = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| (\\d+) \\| ([A-Z_]+) \\|").matcher(section);
        while (row.find()) {
            documented.put(row.group(2), Integer.parseInt(row.group(1)));
        }
        Map<String, Integer> defined = new TreeMap<>();
        for (ExitCode c : ExitCode.values()) {
            defined.put(c.name(), c.code);
        }
        assertEquals(defined, documented);
    }
}
