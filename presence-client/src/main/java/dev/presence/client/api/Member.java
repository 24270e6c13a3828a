package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A member of a thread: a user and their status.
 *
 * @param lastSeen Unix time in milliseconds (0 if never seen)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Member(@JsonProperty("id") String id,
                     @JsonProperty("username") String username,
                     @JsonProperty("display_name") String displayName,
                     @JsonProperty("is_online") boolean online,
                     @JsonProperty("last_seen") long lastSeen) {

    /** This member with another status. */
    public Member withStatus(boolean online, long lastSeen) {
        return new Member(id, username, displayName, online, lastSeen);
    }

    /** This member with another profile. */
    public Member withProfile(User user) {
        return new Member(id, user.username(), user.displayName(), online, lastSeen);
    }

    /** The name to show: the display name, else the username. */
    public String name() {
        return displayName == null || displayName.isBlank() ? username : displayName;
    }
}
