package dev.presence.server.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.presence.server.chat.ChatException;
import dev.presence.server.chat.Text;
import dev.presence.server.domain.Identity;
import dev.presence.server.protocol.Json;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** One API call, copied out of Netty's buffers so it can be handled on a worker thread. */
public final class ApiRequest {

    /** One JSON value and nothing after it but white space. */
    private static final ObjectReader BODY_READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;
    private final byte[] body;
    private final String bearerToken;
    private final String clientAddress;
    private final Function<String, Optional<Identity>> identify;
    private Identity identity;
    private JsonNode json;

    ApiRequest(Map<String, String> pathParams, Map<String, List<String>> query, byte[] body, String bearerToken,
               String clientAddress, Function<String, Optional<Identity>> identify) {
        this.pathParams = pathParams;
        this.query = query;
        this.body = body;
        this.bearerToken = bearerToken;
        this.clientAddress = clientAddress;
        this.identify = identify;
    }

    /** The caller, from the bearer token; a missing or revoked token is a 401. */
    public Identity identity() {
        if (identity == null) {
            if (bearerToken == null) {
                throw new ChatException(401, "unauthorized", "missing 'Authorization: Bearer <token>' header");
            }
            identity = identify.apply(bearerToken)
                    .orElseThrow(() -> new ChatException(401, "unauthorized", "invalid or revoked token"));
        }
        return identity;
    }

    /** The client's IP address (no port), for limits per address. */
    public String clientAddress() {
        return clientAddress;
    }

    public String userId() {
        return identity().userId();
    }

    public String path(String name) {
        return wellFormed("path segment '" + name + "'", pathParams.get(name));
    }

    public List<String> queryAll(String name) {
        List<String> values = query.getOrDefault(name, List.of());
        values.forEach(v -> wellFormed("query parameter '" + name + "'", v));
        return values;
    }

    private static String wellFormed(String what, String value) {
        if (value != null && !Text.isWellFormed(value)) {
            throw ChatException.invalid(what + " must not contain NUL or unpaired surrogate characters");
        }
        return value;
    }

    public String query(String name) {
        List<String> values = queryAll(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** A query parameter as an integer, or {@code fallback} if absent; not a number is a 400. */
    public int queryInt(String name, int fallback) {
        String value = query(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ChatException.invalid("query parameter '" + name + "' must be a whole number");
        }
    }

    /** A string field of the JSON body, or null if absent; any other JSON type is a 400. */
    public String text(String field) {
        JsonNode value = body().get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ChatException.invalid("field '" + field + "' must be a string");
        }
        return wellFormed("field '" + field + "'", value.asText());
    }

    /** A field of the JSON body as it is, or null if absent or JSON null (the server API reads nested values). */
    JsonNode field(String name) {
        JsonNode value = body().get(name);
        return value == null || value.isNull() ? null : value;
    }

    /** A field of the JSON body that must be an array of strings, or null if absent; anything else is a 400. */
    List<String> strings(String name) {
        return strings("field '" + name + "'", field(name));
    }

    /** {@code value} as a list of strings (null stays null); anything but an array of strings is a 400. */
    static List<String> strings(String what, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw ChatException.invalid(what + " must be an array of strings");
        }
        List<String> strings = new java.util.ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw ChatException.invalid(what + " must hold strings only");
            }
            strings.add(wellFormed(what, item.asText()));
        }
        return strings;
    }

    /** A string member of a JSON object, or null if absent or null; any other type is a 400. */
    static String text(String what, JsonNode object, String member) {
        JsonNode value = object.get(member);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ChatException.invalid(what + "." + member + " must be a string");
        }
        return wellFormed(what + "." + member, value.asText());
    }

    /** A body, if there is one, must be a JSON object, whether or not the call reads it; else a 400. */
    void checkBody() {
        if (body.length > 0) {
            body();
        }
    }

    private JsonNode body() {
        if (json == null) {
            if (body.length == 0) {
                throw ChatException.invalid("a JSON object body is required");
            }
            String text;
            try {
                text = StrictUtf8.decode(body);
            } catch (CharacterCodingException e) {
                throw ChatException.invalid("the body is not valid UTF-8");
            }
            try {
                json = BODY_READER.readTree(text);
            } catch (IOException e) {
                throw ChatException.invalid("the body is not valid JSON, or has something after its JSON value");
            }
            if (json == null || !json.isObject()) {
                throw ChatException.invalid("the body must be a JSON object");
            }
        }
        return json;
    }
}
