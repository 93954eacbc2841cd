package dev.cella.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.IntUnaryOperator;

/**
 * The benchmark workloads written in plain Java: the same algorithms, inputs and operation order
 * as the Cella assembly ({@code casm/}) and WebAssembly text ({@code wasm/}) versions, so that
 * all runtimes must return the same bits.
 */
public final class JavaWorkloads {
    private JavaWorkloads() {}

    public static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    /** Count of primes below n (n at most 16 pages of 64 KiB, as in the guest versions). */
    public static int sieve(int n) {
        byte[] composite = new byte[n];
        int count = 0;
        for (int i = 2; i < n; i++) {
            if (composite[i] == 0) {
                count++;
                for (int j = i + i; j < n; j += i) {
                    composite[j] = 1;
                }
            }
        }
        return count;
    }

    /** CRC-32 (IEEE) of len bytes where byte k = (k * 7 + 3) & 255. */
    public static int crc32(int len) {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xEDB88320 : c >>> 1;
            }
            table[i] = c;
        }
        byte[] data = new byte[len];
        for (int i = 0; i < len; i++) {
            data[i] = (byte) (i * 7 + 3);
        }
        int crc = -1;
        for (int i = 0; i < len; i++) {
            crc = table[(crc ^ data[i]) & 255] ^ (crc >>> 8);
        }
        return ~crc;
    }

    /** The generated buffer of {@link #crc32}, to check it against java.util.zip.CRC32. */
    static byte[] crcInput(int len) {
        byte[] data = new byte[len];
        for (int i = 0; i < len; i++) {
            data[i] = (byte) (i * 7 + 3);
        }
        return data;
    }

    /** Sum of the elements of A * B, A[i][j] = (i + j) / n, B[i][j] = (i - j) / n. */
    public static double matmul(int n) {
        double[] a = new double[n * n];
        double[] b = new double[n * n];
        double scale = 1.0 / n;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = (i + j) * scale;
                b[i * n + j] = (i - j) * scale;
            }
        }
        double[] c = new double[n * n];
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0.0;
                for (int k = 0; k < n; k++) {
                    acc = acc + a[i * n + k] * b[k * n + j];
                }
                c[i * n + j] = acc;
                sum = sum + acc;
            }
        }
        return sum;
    }

    private static final double PI = 3.141592653589793;
    private static final double SOLAR_MASS = 4 * PI * PI;
    private static final double DAYS_PER_YEAR = 365.24;

    /** Energy of the five-body system after {@code steps} steps of 0.01. */
    public static double nbody(int steps) {
        double[][] b = {
            {0, 0, 0, 0, 0, 0, SOLAR_MASS},
            {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
                1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
                -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
            {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
                -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
                2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
            {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
                2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
                -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
            {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
                2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
                -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS}};
        double px = 0, py = 0, pz = 0;
        for (int i = 1; i < 5; i++) {
            px = px + b[i][3] * b[i][6];
            py = py + b[i][4] * b[i][6];
            pz = pz + b[i][5] * b[i][6];
        }
        b[0][3] = -px / b[0][6];
        b[0][4] = -py / b[0][6];
        b[0][5] = -pz / b[0][6];
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < 5; i++) {
                double mi = b[i][6];
                for (int j = i + 1; j < 5; j++) {
                    double dx = b[i][0] - b[j][0];
                    double dy = b[i][1] - b[j][1];
                    double dz = b[i][2] - b[j][2];
                    double d2 = dx * dx + dy * dy + dz * dz;
                    double mag = 0.01 / (d2 * Math.sqrt(d2));
                    double mj = b[j][6];
                    b[i][3] = b[i][3] - dx * (mj * mag);
                    b[i][4] = b[i][4] - dy * (mj * mag);
                    b[i][5] = b[i][5] - dz * (mj * mag);
                    b[j][3] = b[j][3] + dx * (mi * mag);
                    b[j][4] = b[j][4] + dy * (mi * mag);
                    b[j][5] = b[j][5] + dz * (mi * mag);
                }
            }
            for (int i = 0; i < 5; i++) {
                b[i][0] = b[i][0] + 0.01 * b[i][3];
                b[i][1] = b[i][1] + 0.01 * b[i][4];
                b[i][2] = b[i][2] + 0.01 * b[i][5];
            }
        }
        double e = 0;
        for (int i = 0; i < 5; i++) {
            e = e + 0.5 * b[i][6] * (b[i][3] * b[i][3] + b[i][4] * b[i][4] + b[i][5] * b[i][5]);
            for (int j = i + 1; j < 5; j++) {
                double dx = b[i][0] - b[j][0];
                double dy = b[i][1] - b[j][1];
                double dz = b[i][2] - b[j][2];
                e = e - (b[i][6] * b[j][6]) / Math.sqrt(dx * dx + dy * dy + dz * dz);
            }
        }
        return e;
    }

    private static final IntUnaryOperator[] OPS = {
        x -> x + 1, x -> x + x, x -> x ^ 0x5bd1e995, x -> Integer.rotateLeft(x, 5)
    };

    /** acc = OPS[i & 3](acc) for i in [0, n). */
    public static int indirect(int n) {
        int acc = 0;
        for (int i = 0; i < n; i++) {
            acc = OPS[i & 3].applyAsInt(acc);
        }
        return acc;
    }

    /** n one-byte writes to {@code sink}; returns the number of bytes written. */
    public static int hostcall(int n, OutputStream sink) {
        byte[] one = {'x'};
        int total = 0;
        try {
            for (int i = 0; i < n; i++) {
                sink.write(one, 0, 1);
                total += 1;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }
}
