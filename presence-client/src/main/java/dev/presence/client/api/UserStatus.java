package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A user's status.
 *
 * @param lastSeen Unix time in milliseconds
 * @param version  strictly increasing per user; a newer status has a greater version
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UserStatus(@JsonProperty("user_id") String userId,
                         @JsonProperty("is_online") boolean online,
                         @JsonProperty("last_seen") long lastSeen,
                         @JsonProperty("version") long version) {
}
