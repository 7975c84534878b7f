package dev.deepmatch.replay.chart;

import dev.deepmatch.replay.eval.CurvePoint;
import dev.deepmatch.replay.eval.LearnerResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Draws learning curves as a PNG with java.awt, headless: POS@N and NEG@N (recent window thick,
 * cumulative thin; POS solid, NEG dashed) against examples seen, one colour per learner, and below
 * them the learners' losses if any reported some.
 */
public final class LearningCurveChart {
    private static final int WIDTH = 1100;
    private static final int RECALL_HEIGHT = 430;
    private static final int LOSS_HEIGHT = 260;
    private static final int LEFT = 80;
    private static final int RIGHT = 250;
    private static final int TOP = 50;
    private static final int GAP = 70;
    private static final int BOTTOM = 60;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4),
        new Color(0xd62728),
        new Color(0x2ca02c),
        new Color(0xff7f0e),
        new Color(0x9467bd),
        new Color(0x8c564b),
        new Color(0x17becf)
    };
    private static final float[] DASH = {9f, 6f};

    private LearningCurveChart() {}

    /**
     * @param n the N of the curves' POS@N and NEG@N
     * @param window examples in the recent window, for the legend
     */
    public static void write(List<LearnerResult> results, int n, int window, Path file)
            throws IOException {
        // Learners report other figures too (step time, catalogue size); only losses share a scale.
        Set<String> lossKeys = new LinkedHashSet<>();
        for (LearnerResult r : results) {
            for (CurvePoint p : r.curve()) {
                for (String key : p.learnStats().keySet()) {
                    if (key.toLowerCase(Locale.ROOT).contains("loss")) {
                        lossKeys.add(key);
                    }
                }
            }
        }
        boolean losses = !lossKeys.isEmpty();
        int height = TOP + RECALL_HEIGHT + (losses ? GAP + LOSS_HEIGHT : 0) + BOTTOM;
        PngCanvas.write(WIDTH, height, file, g -> paint(g, results, n, window, lossKeys));
    }

    private static void paint(
            Graphics2D g, List<LearnerResult> results, int n, int window, Set<String> lossKeys) {
        boolean losses = !lossKeys.isEmpty();
        double maxX = 1;
        for (LearnerResult r : results) {
            for (CurvePoint p : r.curve()) {
                maxX = Math.max(maxX, p.examples());
            }
        }
        Panel recall = new Panel(LEFT, TOP, WIDTH - LEFT - RIGHT, RECALL_HEIGHT, maxX, 0, 1);
        recall.axes(
                g,
                "recall@" + n + " (POS solid, NEG dashed; thick: recent, thin: cumulative)",
                "share of targets in top " + n,
                !losses);
        List<String> names = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            LearnerResult r = results.get(i);
            Color c = PALETTE[i % PALETTE.length];
            names.add(r.name());
            colours.add(c);
            recall.line(g, r.curve(), CurvePoint::posRecent, c, stroke(2.6f, false));
            recall.line(g, r.curve(), CurvePoint::negRecent, c, stroke(2.6f, true));
            recall.line(g, r.curve(), CurvePoint::posCumulative, c, stroke(1.1f, false));
            recall.line(g, r.curve(), CurvePoint::negCumulative, c, stroke(1.1f, true));
        }
        legend(g, LEFT + recall.w + 20, TOP, names, colours, n, window);
        if (losses) {
            drawLosses(g, results, lossKeys, maxX, TOP + RECALL_HEIGHT + GAP);
        }
    }

    private static void drawLosses(
            Graphics2D g, List<LearnerResult> results, Set<String> keys, double maxX, int top) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (LearnerResult r : results) {
            for (CurvePoint p : r.curve()) {
                for (String key : keys) {
                    Double v = p.learnStats().get(key);
                    if (v != null && Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        lo = Math.min(0, lo);
        hi = hi <= lo ? lo + 1 : hi * 1.05;
        Panel panel = new Panel(LEFT, top, WIDTH - LEFT - RIGHT, LOSS_HEIGHT, maxX, lo, hi);
        panel.axes(g, "training losses (mean per curve point)", "loss", true);
        List<String> labels = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        List<Stroke> strokes = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Color c = PALETTE[i % PALETTE.length];
            int k = 0;
            for (String key : keys) {
                Stroke s = stroke(2f, k++ % 2 == 1);
                List<CurvePoint> curve = results.get(i).curve();
                if (curve.stream().anyMatch(p -> p.learnStats().containsKey(key))) {
                    panel.line(g, curve, p -> p.learnStats().getOrDefault(key, Double.NaN), c, s);
                    labels.add(results.get(i).name() + " " + key);
                    colours.add(c);
                    strokes.add(s);
                }
            }
        }
        int x = LEFT + panel.w + 20;
        int y = top + 10;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < labels.size(); i++) {
            sample(g, x, y + i * 22, colours.get(i), strokes.get(i));
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), x + 40, y + i * 22 + 5);
        }
    }

    private static void legend(
            Graphics2D g,
            int x,
            int y,
            List<String> names,
            List<Color> colours,
            int n,
            int window) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString("learners", x, y + 5);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int row = y + 28;
        for (int i = 0; i < names.size(); i++, row += 22) {
            sample(g, x, row, colours.get(i), stroke(2.6f, false));
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), x + 40, row + 5);
        }
        row += 14;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString("lines", x, row);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        String recent = " last " + count(window) + " examples";
        String[] labels = {
            "POS@" + n + recent,
            "NEG@" + n + recent,
            "POS@" + n + " cumulative",
            "NEG@" + n + " cumulative"
        };
        Stroke[] strokes = {
            stroke(2.6f, false), stroke(2.6f, true), stroke(1.1f, false), stroke(1.1f, true)
        };
        row += 23;
        for (int i = 0; i < labels.length; i++, row += 22) {
            sample(g, x, row, Color.DARK_GRAY, strokes[i]);
            g.setColor(Color.BLACK);
            g.drawString(labels[i], x + 40, row + 5);
        }
    }

    private static void sample(Graphics2D g, int x, int y, Color c, Stroke s) {
        g.setColor(c);
        g.setStroke(s);
        g.drawLine(x, y, x + 32, y);
        g.setStroke(new BasicStroke(1f));
    }

    private static Stroke stroke(float width, boolean dashed) {
        return dashed
                ? new BasicStroke(
                        width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, DASH, 0f)
                : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    /** A plotting area with its data ranges. */
    private static final class Panel {
        final int x;
        final int y;
        final int w;
        final int h;
        final double maxX;
        final double minY;
        final double maxY;

        Panel(int x, int y, int w, int h, double maxX, double minY, double maxY) {
            this.x = x;
            this.y = y;
            this.w = w;
            this.h = h;
            this.maxX = maxX;
            this.minY = minY;
            this.maxY = maxY;
        }

        int px(double v) {
            return x + (int) Math.round(v / maxX * w);
        }

        int py(double v) {
            return y + h - (int) Math.round((v - minY) / (maxY - minY) * h);
        }

        void axes(Graphics2D g, String title, String yLabel, boolean xLabel) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            double yStep = niceStep(maxY - minY, 8);
            for (double v = Math.ceil(minY / yStep) * yStep; v <= maxY + 1e-9; v += yStep) {
                int yy = py(v);
                g.setColor(new Color(0xe6e6e6));
                g.drawLine(x, yy, x + w, yy);
                g.setColor(Color.BLACK);
                String s = label(v, yStep);
                g.drawString(s, x - 8 - fm.stringWidth(s), yy + 4);
            }
            double xStep = niceStep(maxX, 10);
            for (double v = 0; v <= maxX + 1e-9; v += xStep) {
                int xx = px(v);
                g.setColor(new Color(0xe6e6e6));
                g.drawLine(xx, y, xx, y + h);
                g.setColor(Color.BLACK);
                String s = count(v);
                g.drawString(s, xx - fm.stringWidth(s) / 2, y + h + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(x, y, w, h);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, x, y - 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            if (xLabel) {
                String s = "examples seen";
                g.drawString(s, x + w / 2 - g.getFontMetrics().stringWidth(s) / 2, y + h + 40);
            }
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.rotate(-Math.PI / 2);
            rotated.drawString(
                    yLabel,
                    -(y + h / 2 + rotated.getFontMetrics().stringWidth(yLabel) / 2),
                    x - 50);
            rotated.dispose();
        }

        void line(
                Graphics2D g,
                List<CurvePoint> curve,
                ToDoubleFunction<CurvePoint> value,
                Color colour,
                Stroke stroke) {
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            for (CurvePoint p : curve) {
                double v = value.applyAsDouble(p);
                if (!Double.isFinite(v)) {
                    pen = false;
                    continue;
                }
                v = Math.max(minY, Math.min(maxY, v));
                if (pen) {
                    path.lineTo(px(p.examples()), py(v));
                } else {
                    path.moveTo(px(p.examples()), py(v));
                    pen = true;
                }
            }
            g.setColor(colour);
            g.setStroke(stroke);
            g.draw(path);
            g.setStroke(new BasicStroke(1f));
        }
    }

    /** A round step (1, 2 or 5 times a power of ten) giving at most about {@code ticks} ticks. */
    static double niceStep(double range, int ticks) {
        double raw = range / ticks;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (raw <= m * magnitude) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(double v, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String count(double v) {
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
