package dev.deepmatch.model.math;

import java.lang.management.ManagementFactory;

/**
 * Gets the Vector API kernels compiled before the first real product. A JVM whose first product is
 * large (64 x 64 x 50,000) runs it in code the JIT compiled on the way, in the middle of the loop,
 * where vectors are not kept in registers: each call then allocates about 1.2 GB of vector objects
 * and runs 5-18x slower, sometimes for the whole run. Small products first, many times, get the
 * kernel methods compiled whole; a probe product then shows whether they allocate.
 */
final class KernelWarmUp {
    /** A compiled probe allocates nothing (its scratch exists); interpreted, hundreds of KB. */
    static final long COMPILED_PROBE_BYTES = 16 * 1024;

    /** Probe columns: whole wide blocks of the kernel only (its steady state). */
    private static final int PROBE_N = 1024;

    private static final long BUDGET_NANOS = 5_000_000_000L;

    private KernelWarmUp() {}

    /**
     * Runs small products on every kernel until a probe product allocates no more than {@link
     * #COMPILED_PROBE_BYTES}, or the time budget is spent; returns whether the probe got there.
     */
    static boolean run() {
        int m = 8, k = 16, n = 80; // four-row and one-row blocks, wide and single vectors
        double[] a = fill(m * k), b = fill(k * n), c = new double[m * n], t = new double[k * n];
        double[] pb = fill(k * PROBE_N), pc = new double[m * PROBE_N];
        long deadline = System.nanoTime() + BUDGET_NANOS;
        boolean compiled = false;
        while (!compiled && System.nanoTime() < deadline) {
            for (int i = 0; i < 500; i++) {
                FloatKernels.gemm(a, 0, k, b, 0, n, false, c, 0, n, m, k, n, false);
                FloatKernels.gemm(a, 0, k, b, 0, k, true, c, 0, n, m, k, n / 2, true);
                FloatKernels.gemmTnAcc(a, 0, k, c, 0, n, t, 0, n, m, k, n);
                VectorKernels.gemm(a, 0, k, b, 0, n, c, 0, n, m, k, n, false);
                VectorKernels.gemmTnAcc(a, 0, k, c, 0, n, t, 0, n, m, k, n);
            }
            long bytes = probeBytes(a, pb, pc, m, k, PROBE_N);
            compiled = bytes >= 0 && bytes <= COMPILED_PROBE_BYTES;
        }
        return compiled;
    }

    /** Bytes eight float products of m x k x n allocate on this thread; -1 if not measurable. */
    static long probeBytes(double[] a, double[] b, double[] c, int m, int k, int n) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)) {
            return -1;
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 8; i++) {
            FloatKernels.gemm(a, 0, k, b, 0, n, false, c, 0, n, m, k, n, false);
        }
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    private static double[] fill(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 7 - 3) * 0.25;
        }
        return x;
    }
}
