package dev.presence.server.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/** The ids an app gives (users, threads): 1 to 128 characters of {@code A-Z a-z 0-9 _ . : -}; else a 400. */
final class AppIds {

    static final int MAX_LENGTH = 128;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_LENGTH + "}");

    private AppIds() {
    }

    /** The id, if it follows the rule. */
    static String require(String field, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ChatException.invalid(field + " must be 1 to " + MAX_LENGTH
                    + " characters of A-Z a-z 0-9 _ . : - (got " + shown(id) + ")");
        }
        return id;
    }

    /** The ids, each following the rule, at most {@code max} of them; duplicates once, in the order given. */
    static List<String> requireAll(String field, Collection<String> ids, int max) {
        if (ids == null) {
            throw ChatException.invalid(field + " is required");
        }
        if (ids.size() > max) {
            throw ChatException.invalid(field + " may hold at most " + max + " ids (got " + ids.size() + ")");
        }
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (String id : ids) {
            distinct.add(require(field + " entry", id));
        }
        return new ArrayList<>(distinct);
    }

    private static String shown(String id) {
        if (id == null) {
            return "nothing";
        }
        return id.length() > 40 ? "'" + id.substring(0, 40) + "...' of " + id.length() + " characters" : "'" + id + "'";
    }
}
