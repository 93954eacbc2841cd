package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example of examples/ run through the command line, output and exit code checked. */
class ExamplesTest {
    @TempDir
    Path tmp;

    /** fib(n) by iteration: an independent reference for the guest's recursive version. */
    private static long fib(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long t = a + b;
            a = b;
            b = t;
        }
        return a;
    }

    /** The number of primes below n, by trial division: independent of the guest's sieve. */
    private static int primesBelow(int n) {
        int count = 0;
        for (int i = 2; i < n; i++) {
            boolean prime = true;
            for (int d = 2; (long) d * d <= i; d++) {
                if (i % d == 0) {
                    prime = false;
                    break;
                }
            }
            count += prime ? 1 : 0;
        }
        return count;
    }

    @Test
    void helloPrintsTheGreeting() {
        CliRunner.Result r = cella("run", example("hello.casm"));
        assertEquals(0, r.code(), r::toString);
        assertEquals("Hello, world!\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void fibPrintsTheTwentyFifthNumberByDefault() {
        CliRunner.Result r = cella("run", example("fib.casm"));
        assertEquals(0, r.code(), r::toString);
        assertEquals(fib(25) + "\n", r.out());
    }

    @Test
    void fibComputesTheNumberGivenAsArgument() {
        for (int n : new int[] {0, 1, 2, 10, 21}) {
            CliRunner.Result r = cella("run", example("fib.casm"), Integer.toString(n));
            assertEquals(0, r.code(), r::toString);
            assertEquals(fib(n) + "\n", r.out(), "fib " + n);
        }
    }

    @Test
    void fibRejectsAnArgumentThatIsNotANumberWithStatusTwo() {
        for (String bad : new String[] {"abc", "12x", "", "93", "99999999999"}) {
            CliRunner.Result r = cella("run", example("fib.casm"), bad);
            assertEquals(2, r.code(), r::toString);
            assertTrue(r.err().startsWith("usage: fib [N]"), r::toString);
            assertEquals("", r.out());
        }
    }

    @Test
    void sieveCountsThePrimesBelowOneHundredThousandByDefault() {
        CliRunner.Result r = cella("run", example("sieve.casm"));
        assertEquals(0, r.code(), r::toString);
        assertEquals(primesBelow(100_000) + "\n", r.out());
    }

    @Test
    void sieveCountsThePrimesBelowTheNumberGivenAsArgument() {
        for (int n : new int[] {0, 1, 2, 3, 4, 100, 7919, 7920, 70000, 200000}) {
            CliRunner.Result r = cella("run", example("sieve.casm"), Integer.toString(n));
            assertEquals(0, r.code(), r::toString);
            assertEquals(primesBelow(n) + "\n", r.out(), "primes below " + n);
        }
    }

    @Test
    void sieveExitsWithStatusOneWhenMemoryCannotGrowUnderTheMemoryQuota() {
        CliRunner.Result r = cella("run", "--memory", "128K", example("sieve.casm"), "1000000");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("not enough memory"), r::toString);
    }

    @Test
    void argsPrintsEachArgumentOnItsOwnLineProgramNameFirst() {
        List<String> argv = List.of(example("args.casm"), "one", "two words", "", "ünïcödé", "--fuel", "-x");
        List<String> command = new ArrayList<>(List.of("run"));
        command.addAll(argv);
        CliRunner.Result r = cella(command.toArray(String[]::new));
        assertEquals(0, r.code(), r::toString);
        assertEquals(String.join("\n", argv) + "\n", r.out());
    }

    @Test
    void trapTrapsInDivideNamingTheFunctionAndPc() {
        CliRunner.Result r = cella("run", example("trap.casm"));
        assertEquals(ExitCode.TRAP.code, r.code(), r::toString);
        assertEquals("dividing 1 by 0\n", r.out());
        String expected = "cella: " + example("trap.casm") + ": trap: integer divide by zero in divide (function 2) at pc 0\n";
        assertEquals(expected, r.err());
    }

    @Test
    void everyExampleRunsTheSameFromItsBinary() throws Exception {
        String[][] runs = {{"hello.casm"}, {"fib.casm", "15"}, {"sieve.casm", "5000"}, {"args.casm", "a", "b"}, {"trap.casm"}};
        for (String[] run : runs) {
            String source = example(run[0]);
            String binary = tmp.resolve(run[0].replace(".casm", ".cel")).toString();
            assertEquals(0, cella("asm", source, "-o", binary).code());
            CliRunner.Result fromText = cella(withProgram(run, source));
            CliRunner.Result fromBinary = cella(withProgram(run, binary));
            assertEquals(fromText.code(), fromBinary.code(), run[0]);
            assertEquals(fromText.out().replace(source, binary), fromBinary.out(), run[0]);
            assertEquals(fromText.err().replace(source, binary), fromBinary.err(), run[0]);
        }
    }

    @Test
    void aBinaryIsRecognisedByItsMagicWhateverItsName() throws Exception {
        Path binary = tmp.resolve("hello.program");
        assertEquals(0, cella("asm", example("hello.casm"), "-o", binary.toString()).code());
        assertEquals(0, Files.readAllBytes(binary)[0]);
        CliRunner.Result r = cella("run", binary.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("Hello, world!\n", r.out());
    }

    private static String[] withProgram(String[] run, String program) {
        String[] args = new String[run.length + 1];
        args[0] = "run";
        args[1] = program;
        System.arraycopy(run, 1, args, 2, run.length - 1);
        return args;
    }
}
