package dev.deepmatch.sources.generator;

import java.time.Instant;

/**
 * Settings of {@link ListenerGenerator}. {@link Builder#build()} checks every value and names the
 * one that is wrong.
 */
public record GeneratorConfig(
        long seed,
        int users,
        int tracks,
        int styles,
        double zipfExponent,
        int concurrentSessions,
        int minSessionLength,
        int maxSessionLength,
        long meanGapMillis,
        long startTimeMillis,
        double skipBias) {

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: a small service, about the size of the MSSD mini file's catalogue. */
    public static final class Builder {
        private long seed = 42;
        private int users = 5_000;
        private int tracks = 10_000;
        private int styles = 20;
        private double zipfExponent = 1.0;
        private int concurrentSessions = 200;
        private int minSessionLength = 5;
        private int maxSessionLength = 30;
        private long meanGapMillis = 180_000;
        private long startTimeMillis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        private double skipBias = 0;

        private Builder() {}

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder users(int v) {
            users = v;
            return this;
        }

        public Builder tracks(int v) {
            tracks = v;
            return this;
        }

        public Builder styles(int v) {
            styles = v;
            return this;
        }

        public Builder zipfExponent(double v) {
            zipfExponent = v;
            return this;
        }

        public Builder concurrentSessions(int v) {
            concurrentSessions = v;
            return this;
        }

        public Builder sessionLength(int min, int max) {
            minSessionLength = min;
            maxSessionLength = max;
            return this;
        }

        public Builder meanGapMillis(long v) {
            meanGapMillis = v;
            return this;
        }

        public Builder startTimeMillis(long v) {
            startTimeMillis = v;
            return this;
        }

        /** Log-odds added to skipping every play: streams with more (above 0) or fewer skips. */
        public Builder skipBias(double v) {
            skipBias = v;
            return this;
        }

        public GeneratorConfig build() {
            atLeast("generator users", users, 1);
            atLeast("generator tracks", tracks, 2);
            atLeast("generator styles", styles, 1);
            if (styles > tracks) {
                throw new IllegalArgumentException(
                        "generator styles ("
                                + styles
                                + ") must not exceed tracks ("
                                + tracks
                                + ")");
            }
            if (!(zipfExponent >= 0 && zipfExponent <= 3)) {
                throw new IllegalArgumentException(
                        "generator zipfExponent must be in [0, 3], got " + zipfExponent);
            }
            atLeast("generator concurrentSessions", concurrentSessions, 1);
            atLeast("generator minSessionLength", minSessionLength, 1);
            if (maxSessionLength < minSessionLength) {
                throw new IllegalArgumentException(
                        "generator maxSessionLength ("
                                + maxSessionLength
                                + ") must be >= minSessionLength ("
                                + minSessionLength
                                + ")");
            }
            if (meanGapMillis < 1) {
                throw new IllegalArgumentException(
                        "generator meanGapMillis must be >= 1, got " + meanGapMillis);
            }
            if (startTimeMillis < 0) {
                throw new IllegalArgumentException(
                        "generator startTimeMillis must be >= 0, got " + startTimeMillis);
            }
            if (!(Math.abs(skipBias) <= 10)) {
                throw new IllegalArgumentException(
                        "generator skipBias must be in [-10, 10], got " + skipBias);
            }
            return new GeneratorConfig(
                    seed,
                    users,
                    tracks,
                    styles,
                    zipfExponent,
                    concurrentSessions,
                    minSessionLength,
                    maxSessionLength,
                    meanGapMillis,
                    startTimeMillis,
                    skipBias);
        }

        private static void atLeast(String name, long value, long min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
            }
        }
    }
}
