package dev.deepmatch.model.math;

import java.lang.management.ManagementFactory;

/**
 * Run in a fresh JVM by {@link KernelWarmUpTest}: prints the bytes the first large float product of
 * this JVM allocates, after {@link Blas#warmUp()} unless the argument is {@code cold}.
 */
public final class ColdProductProbe {
    private ColdProductProbe() {}

    public static void main(String[] args) {
        if (!(args.length > 0 && args[0].equals("cold"))) {
            System.out.println("warm=" + Blas.warmUp());
        }
        int m = 64, k = 64, n = 50_000;
        double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
        java.util.Arrays.fill(a, 0.5);
        java.util.Arrays.fill(b, 0.25);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Blas.gemm(Precision.FLOAT, a, 0, b, 0, false, c, 0, m, k, n, false, null);
        System.out.println("allocated=" + (mx.getCurrentThreadAllocatedBytes() - before));
    }
}
