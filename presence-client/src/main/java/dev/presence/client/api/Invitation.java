package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Optional;

/**
 * An invitation to join a thread.
 *
 * @param fromUser who invited (contract v2); null from a server that predates it, then only {@code fromUserId} is known
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Invitation(@JsonProperty("id") String id,
                         @JsonProperty("thread_id") String threadId,
                         @JsonProperty("thread_title") String threadTitle,
                         @JsonProperty("from_user_id") String fromUserId,
                         @JsonProperty("to_user_id") String toUserId,
                         @JsonProperty("from_user") User fromUser) {

    /** An invitation without the inviter's profile (as a v1 server sends it). */
    public Invitation(String id, String threadId, String threadTitle, String fromUserId, String toUserId) {
        this(id, threadId, threadTitle, fromUserId, toUserId, null);
    }

    /** The inviter's profile, if the server sent it. */
    public Optional<User> inviter() {
        return Optional.ofNullable(fromUser);
    }
}
