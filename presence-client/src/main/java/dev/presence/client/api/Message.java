package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A chat message. {@code createdAt} is Unix time in milliseconds. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Message(@JsonProperty("id") String id,
                      @JsonProperty("thread_id") String threadId,
                      @JsonProperty("sender_id") String senderId,
                      @JsonProperty("text") String text,
                      @JsonProperty("created_at") long createdAt) {
}
