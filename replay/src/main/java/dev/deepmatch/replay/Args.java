package dev.deepmatch.replay;

import java.util.Arrays;

/** Walks a command line; value parsers name the option in their errors. */
final class Args {
    private final String[] args;
    private int next;

    Args(String[] args) {
        this.args = args.clone();
    }

    boolean hasNext() {
        return next < args.length;
    }

    String nextOption() {
        return args[next++];
    }

    String value(String option) throws UsageException {
        if (next >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[next++];
    }

    int intValue(String option, int min) throws UsageException {
        String v = value(option);
        int parsed;
        try {
            parsed = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs an integer, got '" + v + "'");
        }
        if (parsed < min) {
            throw new UsageException(option + " must be at least " + min + ", got " + parsed);
        }
        return parsed;
    }

    long longValue(String option, long min) throws UsageException {
        String v = value(option);
        long parsed;
        try {
            parsed = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs an integer, got '" + v + "'");
        }
        if (parsed < min) {
            throw new UsageException(option + " must be at least " + min + ", got " + parsed);
        }
        return parsed;
    }

    double doubleValue(String option) throws UsageException {
        String v = value(option);
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, got '" + v + "'");
        }
    }

    /** A comma-separated list of positive integers, returned sorted ascending without repeats. */
    int[] intList(String option) throws UsageException {
        String v = value(option);
        try {
            int[] list =
                    Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
            if (list.length == 0 || Arrays.stream(list).anyMatch(n -> n < 1)) {
                throw new NumberFormatException();
            }
            return Arrays.stream(list).sorted().distinct().toArray();
        } catch (NumberFormatException e) {
            throw new UsageException(
                    option + " needs comma-separated positive integers, got '" + v + "'");
        }
    }

    /** A comma-separated list of numbers of at least {@code min}, in the order given. */
    double[] doubleList(String option, double min) throws UsageException {
        String v = value(option);
        try {
            double[] list =
                    Arrays.stream(v.split(","))
                            .mapToDouble(s -> Double.parseDouble(s.trim()))
                            .toArray();
            if (list.length == 0
                    || Arrays.stream(list).anyMatch(d -> !(d >= min) || Double.isInfinite(d))) {
                throw new NumberFormatException();
            }
            return Arrays.stream(list).distinct().toArray();
        } catch (NumberFormatException e) {
            throw new UsageException(
                    option
                            + " needs comma-separated numbers of at least "
                            + min
                            + ", got '"
                            + v
                            + "'");
        }
    }

    /** A comma-separated list of integers, in the order given, without repeats. */
    long[] longList(String option) throws UsageException {
        String v = value(option);
        try {
            long[] list =
                    Arrays.stream(v.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
            if (list.length == 0) {
                throw new NumberFormatException();
            }
            return Arrays.stream(list).distinct().toArray();
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs comma-separated integers, got '" + v + "'");
        }
    }
}
