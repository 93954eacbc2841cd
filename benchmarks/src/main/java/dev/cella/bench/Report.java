package dev.cella.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a JMH CSV result file into the Markdown tables of docs/performance.md: every score with
 * its error, then per workload the speed of each runtime relative to plain Java and Cella's
 * engines relative to Chicory's, with geometric means over the compute workloads.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.cella.bench.Report results.csv}.
 */
public final class Report {
    private Report() {}

    /** One JMH result row. */
    record Row(String benchmark, String mode, double score, double error, String unit, Map<String, String> params) {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report RESULTS.csv");
            System.exit(64);
        }
        List<Row> rows = read(Path.of(args[0]));
        System.out.print(render(rows));
    }

    static List<Row> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = split(lines.get(0));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = split(line);
            Map<String, String> params = new TreeMap<>();
            for (int i = 7; i < header.size() && i < cells.size(); i++) {
                if (!cells.get(i).isEmpty()) {
                    params.put(header.get(i).replace("Param: ", ""), cells.get(i));
                }
            }
            rows.add(new Row(cells.get(0), cells.get(1), number(cells.get(4)), number(cells.get(5)), cells.get(6), params));
        }
        return rows;
    }

    private static double number(String s) {
        return s.isEmpty() || s.equals("NaN") ? Double.NaN : Double.parseDouble(s);
    }

    /** Splits one CSV line: fields in double quotes may hold commas; "" is a quote. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    static String render(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| benchmark | parameters | score | error (99.9%) | unit |\n| --- | --- | ---: | ---: | --- |\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", shortName(r.benchmark()),
                    r.params().toString().replaceAll("[{}]", ""), fmt(r.score()), fmt(r.error()), r.unit()));
        }
        Map<String, Map<String, Double>> compute = new LinkedHashMap<>();
        for (Row r : rows) {
            if (shortName(r.benchmark()).equals("ComputeBenchmark.run")) {
                compute.computeIfAbsent(r.params().get("workload"), k -> new LinkedHashMap<>())
                        .put(r.params().get("runtime"), r.score());
            }
        }
        if (!compute.isEmpty()) {
            md.append("\nSpeed relative to plain Java (Java's time / runtime's time; higher is faster, 1.00 = Java), ")
                    .append("and Cella relative to Chicory (Chicory's time / Cella's time):\n\n");
            String[] cols = {"CELLA_INTERP", "CELLA_JIT", "CHICORY_INTERP", "CHICORY_COMPILER"};
            md.append("| workload | Cella interp / Java | Cella JIT / Java | Chicory interp / Java | Chicory compiler / Java "
                    + "| Cella interp vs Chicory interp | Cella JIT vs Chicory compiler |\n")
                    .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            Map<String, List<Double>> geo = new LinkedHashMap<>();
            for (var e : compute.entrySet()) {
                Map<String, Double> t = e.getValue();
                boolean isCompute = Workload.valueOf(e.getKey()).compute;
                md.append("| ").append(e.getKey().toLowerCase(Locale.ROOT)).append(isCompute ? "" : " (not in the mean)");
                for (String c : cols) {
                    md.append(" | ").append(ratio(t.get("JAVA"), t.get(c), isCompute ? geo.computeIfAbsent(c, k -> new ArrayList<>()) : null));
                }
                md.append(" | ").append(ratio(t.get("CHICORY_INTERP"), t.get("CELLA_INTERP"),
                        isCompute ? geo.computeIfAbsent("INTERP_VS", k -> new ArrayList<>()) : null));
                md.append(" | ").append(ratio(t.get("CHICORY_COMPILER"), t.get("CELLA_JIT"),
                        isCompute ? geo.computeIfAbsent("JIT_VS", k -> new ArrayList<>()) : null));
                md.append(" |\n");
            }
            md.append("| **geometric mean (compute)**");
            for (String c : new String[] {"CELLA_INTERP", "CELLA_JIT", "CHICORY_INTERP", "CHICORY_COMPILER", "INTERP_VS", "JIT_VS"}) {
                md.append(" | **").append(fmt(geomean(geo.get(c)))).append("**");
            }
            md.append(" |\n");
        }
        return md.toString();
    }

    private static String ratio(Double base, Double other, List<Double> collect) {
        if (base == null || other == null || base.isNaN() || other.isNaN() || other == 0) {
            return "n/a";
        }
        double r = base / other;
        if (collect != null) {
            collect.add(r);
        }
        return fmt(r);
    }

    static double geomean(List<Double> xs) {
        if (xs == null || xs.isEmpty()) {
            return Double.NaN;
        }
        double s = 0;
        for (double x : xs) {
            s += Math.log(x);
        }
        return Math.exp(s / xs.size());
    }

    private static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
    }

    private static String fmt(double x) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        double a = Math.abs(x);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 0.01 ? "%.2f" : "%.3g", x);
    }
}
