package dev.deepmatch.model.math;

/** How the dense layers' matrix products round; everything else runs in double either way. */
public enum Precision {
    /** Double products: what the gradient checks and golden values pin. */
    DOUBLE,
    /**
     * Operands rounded to float32, each element one float FMA chain (weight gradients summed in
     * float over slabs of rows), results widened into the double arrays: float32 BLAS arithmetic
     * with double master weights and double elementwise work. About 1.5-1.8x faster products on
     * AVX-512 (twice the lanes); products carry about 1e-6 relative error.
     */
    FLOAT
}
