package dev.presence.bench;

/** {@code 500ms}, {@code 5s}, {@code 2m} as the server's flags take them. */
final class Durations {

    private Durations() {
    }

    static double seconds(String value) {
        String v = value.trim();
        if (v.endsWith("ms")) {
            return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
        }
        if (v.endsWith("s")) {
            return Double.parseDouble(v.substring(0, v.length() - 1));
        }
        if (v.endsWith("m")) {
            return Double.parseDouble(v.substring(0, v.length() - 1)) * 60;
        }
        return Double.parseDouble(v) / 1000;
    }
}
