package dev.deepmatch.replay.chart;

import dev.deepmatch.replay.eval.LearnerResult;
import dev.deepmatch.replay.sweep.Frontier;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws the POS@N against NEG@N trade-off of a sweep as a PNG: one line per variant through its
 * negative-loss weights (each point labelled with its weight), the baselines as squares, and the
 * diagonal where a ranking ignores feedback (it recalls skipped targets as often as played ones).
 * Up and to the left is better.
 */
public final class FrontierChart {
    private static final int SIZE = 640;
    private static final int LEFT = 80;
    private static final int TOP = 50;
    private static final int LEGEND = 260;
    private static final int BOTTOM = 60;
    private static final Color[] VARIANT_COLOURS = {new Color(0x1f77b4), new Color(0xd62728)};
    private static final Color BASELINE = new Color(0x555555);

    private FrontierChart() {}

    /**
     * @param i index into the frontier's N values
     */
    public static void write(Frontier frontier, int i, List<LearnerResult> baselines, Path file)
            throws IOException {
        double max = 0.1;
        for (Frontier.Point p : frontier.points()) {
            max = Math.max(max, Math.max(p.pos()[i], p.neg()[i]));
        }
        for (LearnerResult b : baselines) {
            max = Math.max(max, Math.max(b.recall().pos(i), b.recall().neg(i)));
        }
        double top = Math.min(1.0, Math.ceil(max * 10 + 0.5) / 10);
        int width = LEFT + SIZE + LEGEND;
        int height = TOP + SIZE + BOTTOM;
        PngCanvas.write(width, height, file, g -> paint(g, frontier, i, baselines, top));
    }

    private static void paint(
            Graphics2D g, Frontier frontier, int i, List<LearnerResult> baselines, double top) {
        int n = frontier.ns()[i];
        Axes axes = new Axes(top);
        axes.draw(g, n);
        List<String> variants =
                frontier.points().stream().map(Frontier.Point::variant).distinct().toList();
        for (int v = 0; v < variants.size(); v++) {
            Color c = VARIANT_COLOURS[v % VARIANT_COLOURS.length];
            drawVariant(g, axes, frontier.variant(variants.get(v)), i, c);
            legendEntry(g, v, c, variants.get(v) + " (label: neg weight)", false);
        }
        for (int b = 0; b < baselines.size(); b++) {
            LearnerResult r = baselines.get(b);
            int x = axes.px(r.recall().neg(i));
            int y = axes.py(r.recall().pos(i));
            g.setColor(BASELINE);
            g.fillRect(x - 4, y - 4, 8, 8);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(String.valueOf(b + 1), x + 6, y - 4);
            legendEntry(g, variants.size() + b, BASELINE, (b + 1) + ": " + r.name(), true);
        }
    }

    private static void drawVariant(
            Graphics2D g, Axes axes, List<Frontier.Point> points, int i, Color c) {
        Path2D.Double path = new Path2D.Double();
        for (int k = 0; k < points.size(); k++) {
            Frontier.Point p = points.get(k);
            if (k == 0) {
                path.moveTo(axes.px(p.neg()[i]), axes.py(p.pos()[i]));
            } else {
                path.lineTo(axes.px(p.neg()[i]), axes.py(p.pos()[i]));
            }
        }
        g.setColor(c);
        g.setStroke(new BasicStroke(2.2f));
        g.draw(path);
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (Frontier.Point p : points) {
            int x = axes.px(p.neg()[i]);
            int y = axes.py(p.pos()[i]);
            g.fillOval(x - 4, y - 4, 8, 8);
            g.drawString(String.format(Locale.ROOT, "%s", p.negWeight()), x + 6, y + 14);
        }
    }

    private static void legendEntry(Graphics2D g, int row, Color c, String text, boolean square) {
        int x = LEFT + SIZE + 20;
        int y = TOP + 10 + row * 20;
        g.setColor(c);
        if (square) {
            g.fillRect(x, y - 8, 8, 8);
        } else {
            g.fillOval(x, y - 8, 8, 8);
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(text, x + 14, y);
    }

    /** Both axes run from 0 to {@code top}, so the diagonal is at 45 degrees. */
    private record Axes(double top) {
        int px(double v) {
            return LEFT + (int) Math.round(v / top * SIZE);
        }

        int py(double v) {
            return TOP + SIZE - (int) Math.round(v / top * SIZE);
        }

        void draw(Graphics2D g, int n) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            double step = LearningCurveChart.niceStep(top, 10);
            for (double v = 0; v <= top + 1e-9; v += step) {
                String s = String.format(Locale.ROOT, "%.1f", v);
                g.setColor(new Color(0xe6e6e6));
                g.drawLine(px(v), TOP, px(v), TOP + SIZE);
                g.drawLine(LEFT, py(v), LEFT + SIZE, py(v));
                g.setColor(Color.BLACK);
                g.drawString(s, px(v) - fm.stringWidth(s) / 2, TOP + SIZE + 18);
                g.drawString(s, LEFT - 8 - fm.stringWidth(s), py(v) + 4);
            }
            g.setColor(new Color(0xaaaaaa));
            g.setStroke(
                    new BasicStroke(
                            1f,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_MITER,
                            10f,
                            new float[] {6f, 5f},
                            0f));
            g.drawLine(px(0), py(0), px(top), py(top));
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, SIZE, SIZE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(
                    "POS@" + n + " against NEG@" + n + " (up and left is better)", LEFT, TOP - 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            String x = "NEG@" + n + ": skipped targets recalled";
            g.drawString(
                    x, LEFT + SIZE / 2 - g.getFontMetrics().stringWidth(x) / 2, TOP + SIZE + 42);
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.rotate(-Math.PI / 2);
            String y = "POS@" + n + ": well-played targets recalled";
            rotated.drawString(
                    y, -(TOP + SIZE / 2 + rotated.getFontMetrics().stringWidth(y) / 2), 30);
            rotated.dispose();
        }
    }
}
