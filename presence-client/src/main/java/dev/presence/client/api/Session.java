package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The answer to a log-in: a bearer token and who it belongs to. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Session(@JsonProperty("token") String token, @JsonProperty("user") User user) {
    @Override
    public String toString() {
        return "Session[user=" + user + ", token=<hidden>]";
    }
}
