package dev.presence.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A user as the API shows it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record User(@JsonProperty("id") String id,
                   @JsonProperty("username") String username,
                   @JsonProperty("display_name") String displayName) {
}
