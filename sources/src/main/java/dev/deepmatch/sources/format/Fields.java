package dev.deepmatch.sources.format;

import java.util.List;
import java.util.Locale;

/** Field parsers shared by the readers; each failure names the column and the value found. */
final class Fields {
    private Fields() {}

    static String text(List<String> row, int column, String name) throws RowException {
        if (column >= row.size()) {
            throw new RowException("missing column", name);
        }
        return row.get(column).trim();
    }

    static String id(List<String> row, int column, String name) throws RowException {
        String v = text(row, column, name);
        if (v.isEmpty()) {
            throw new RowException("empty id", name);
        }
        return v;
    }

    static long integer(List<String> row, int column, String name) throws RowException {
        String v = text(row, column, name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new RowException("bad number", name + "='" + v + "'");
        }
    }

    static double rate(List<String> row, int column, String name) throws RowException {
        String v = text(row, column, name);
        double rate;
        try {
            rate = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new RowException("bad number", name + "='" + v + "'");
        }
        if (!(rate >= 0 && rate <= 1)) {
            throw new RowException("rate outside [0,1]", name + "='" + v + "'");
        }
        return rate;
    }

    static boolean flag(List<String> row, int column, String name) throws RowException {
        String v = text(row, column, name).toLowerCase(Locale.ROOT);
        switch (v) {
            case "true", "1" -> {
                return true;
            }
            case "false", "0" -> {
                return false;
            }
            default -> throw new RowException("bad flag", name + "='" + v + "'");
        }
    }
}
