package dev.presence.server.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Integration mode (PROTOCOL.md, "Presence for an existing chat backend"): where the app's keys and secrets are.
 * The files are read by the parts that use them, at start, so a bad file stops the server with one line.
 *
 * @param apiKeyFile       the server API's keys, one per line; empty: the server API is off
 * @param jwtSecretFile    the HS256 secret of the app's JWTs; empty: no HS256 JWTs
 * @param jwtPublicKeyFile the PEM public key (RS256 or ES256) of the app's JWTs; empty: none
 */
public record Integration(Optional<Path> apiKeyFile, Optional<Path> jwtSecretFile, Optional<Path> jwtPublicKeyFile) {

    public Integration {
        if (apiKeyFile == null || jwtSecretFile == null || jwtPublicKeyFile == null) {
            throw new IllegalArgumentException("integration settings must not be null (use Optional.empty())");
        }
    }

    /** Nothing configured: the built-in chat only. */
    public static Integration none() {
        return new Integration(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Integration withApiKeyFile(Path file) {
        return new Integration(Optional.ofNullable(file), jwtSecretFile, jwtPublicKeyFile);
    }

    public Integration withJwtSecretFile(Path file) {
        return new Integration(apiKeyFile, Optional.ofNullable(file), jwtPublicKeyFile);
    }

    public Integration withJwtPublicKeyFile(Path file) {
        return new Integration(apiKeyFile, jwtSecretFile, Optional.ofNullable(file));
    }

    /** Whether the app's JWTs are accepted as tokens. */
    public boolean acceptsJwts() {
        return jwtSecretFile.isPresent() || jwtPublicKeyFile.isPresent();
    }
}
