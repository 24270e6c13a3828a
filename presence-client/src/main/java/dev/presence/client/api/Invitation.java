package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An invitation to join a thread. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Invitation(@JsonProperty("id") String id,
                         @JsonProperty("thread_id") String threadId,
                         @JsonProperty("thread_title") String threadTitle,
                         @JsonProperty("from_user_id") String fromUserId,
                         @JsonProperty("to_user_id") String toUserId) {
}
