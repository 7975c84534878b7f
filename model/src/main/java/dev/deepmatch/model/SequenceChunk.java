package dev.deepmatch.model;

/**
 * A group of histories packed token by token without padding. Sequence {@code s} owns tokens {@code
 * [start[s], start[s+1])}, oldest first; because windows are left-padded, its token {@code i} of
 * {@code n} sits at absolute position {@code maxLen - n + i}. Packing drops padding from all matrix
 * work instead of masking it; the causal mask stays inside each sequence.
 */
final class SequenceChunk {
    final int sequences;
    final int[] start;
    final int[] item; // batch-local item index into the gathered item vectors
    final double[] rate;
    final int[] intent;
    final int[] position;

    SequenceChunk(int sequences, int tokens) {
        this.sequences = sequences;
        this.start = new int[sequences + 1];
        this.item = new int[tokens];
        this.rate = new double[tokens];
        this.intent = new int[tokens];
        this.position = new int[tokens];
    }

    int tokens() {
        return start[sequences];
    }

    int length(int s) {
        return start[s + 1] - start[s];
    }
}
