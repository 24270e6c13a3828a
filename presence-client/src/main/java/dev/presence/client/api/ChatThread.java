package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Optional;

/** A chat thread and its members. Immutable. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatThread(@JsonProperty("id") String id,
                         @JsonProperty("title") String title,
                         @JsonProperty("users") List<Member> users) {
    public ChatThread {
        users = users == null ? List.of() : List.copyOf(users);
    }

    /** The member with this user id, if any. */
    public Optional<Member> member(String userId) {
        return users.stream().filter(m -> m.id().equals(userId)).findFirst();
    }

    /** This thread with another member list. */
    public ChatThread withUsers(List<Member> value) {
        return new ChatThread(id, title, value);
    }
}
