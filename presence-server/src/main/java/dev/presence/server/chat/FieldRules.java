package dev.presence.server.chat;

/** How long a field may be, and what a name or title must not contain; a break is a 400. */
final class FieldRules {

    static final int MAX_DISPLAY_NAME = 100;
    static final int MAX_TITLE = 200;
    static final int MAX_TEXT = 4000;

    private FieldRules() {
    }

    /** A name or title other people see: not too long, and nothing that could disguise it or what follows it. */
    static void requireLabel(String field, String value, int max) {
        requireLength(field, value, max);
        int forbidden = Text.forbiddenInLabel(value);
        if (forbidden >= 0) {
            throw ChatException.invalid(String.format("%s must not contain control characters or bidirectional"
                    + " overrides, embeddings or isolates (found U+%04X)", field, forbidden));
        }
    }

    static void requireLength(String field, String value, int max) {
        if (value.length() > max) {
            throw ChatException.invalid(field + " must be at most " + max + " characters");
        }
    }
}
