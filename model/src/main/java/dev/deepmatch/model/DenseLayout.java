package dev.deepmatch.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Offsets of every dense parameter inside one flat array, so Adam, the codec and the gradient
 * checks treat them uniformly.
 */
final class DenseLayout {

    /** A named slice of the flat parameter array. */
    record Slice(String name, int offset, int size) {}

    /** Offsets of one self-attention block. */
    static final class Block {
        int ln1Gamma, ln1Beta, wq, bq, wk, bk, wv, bv, wo, bo, ln2Gamma, ln2Beta, w1, b1, w2, b2;
    }

    final int pos;
    final int rateW;

    /**
     * Feedback gate on the item vector of each play: itemVector (*) (1 + gateBase + rate *
     * rateGate), so how much of an item's identity reaches the encoder can depend on whether it was
     * played through or skipped. A plain residual stream cannot switch off that identity.
     */
    final int gateBase;

    final int rateGate;

    final int intent;
    final int ln0Gamma;
    final int ln0Beta;

    /** E x H projection of the factorized item table; -1 when not factorized. */
    final int proj;

    /** H x H map from the user vector to the next-item softmax's query; -1 when off. */
    final int nextItemHead;

    /**
     * The successor channel's gate, softplus(w . user + b): how much of "what follows the last
     * play" reaches the score in this listener's state (little in a run of skips). H weights, then
     * the bias; -1 when the channel is off.
     */
    final int successorGate;

    final Block[] blocks;
    final int size;
    final List<Slice> slices = new ArrayList<>();

    DenseLayout(ModelConfig c) {
        int h = c.hidden();
        pos = add("position", c.windowLength() * h);
        rateW = add("playRate", h);
        gateBase = add("playRateGate.base", h);
        rateGate = add("playRateGate.rate", h);
        intent = add("intent", c.intentTypes() * h);
        ln0Gamma = add("inputNorm.gamma", h);
        ln0Beta = add("inputNorm.beta", h);
        proj = c.factorized() ? add("itemProjection", c.factorDim() * h) : -1;
        nextItemHead = c.nextItemWeight() > 0 ? add("nextItemHead", h * h) : -1;
        successorGate = c.successorDim() > 0 ? add("successorGate", h + 1) : -1;
        blocks = new Block[c.blocks()];
        for (int i = 0; i < blocks.length; i++) {
            Block b = new Block();
            String p = "block" + i + ".";
            b.ln1Gamma = add(p + "attnNorm.gamma", h);
            b.ln1Beta = add(p + "attnNorm.beta", h);
            b.wq = add(p + "wq", h * h);
            b.bq = add(p + "bq", h);
            b.wk = add(p + "wk", h * h);
            b.bk = add(p + "bk", h);
            b.wv = add(p + "wv", h * h);
            b.bv = add(p + "bv", h);
            b.wo = add(p + "wo", h * h);
            b.bo = add(p + "bo", h);
            b.ln2Gamma = add(p + "ffNorm.gamma", h);
            b.ln2Beta = add(p + "ffNorm.beta", h);
            b.w1 = add(p + "w1", h * c.ffDim());
            b.b1 = add(p + "b1", c.ffDim());
            b.w2 = add(p + "w2", c.ffDim() * h);
            b.b2 = add(p + "b2", h);
            blocks[i] = b;
        }
        size = slices.isEmpty() ? 0 : last().offset() + last().size();
    }

    private Slice last() {
        return slices.get(slices.size() - 1);
    }

    private int add(String name, int n) {
        int off = slices.isEmpty() ? 0 : last().offset() + last().size();
        slices.add(new Slice(name, off, n));
        return off;
    }
}
