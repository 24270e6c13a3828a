package dev.presence.server.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which JWTs a revocation refuses: those issued up to the end of its second, and those without an issue time. */
class AppJwtRevocationRuleTest {

    private static final long REVOKED_AT = 1_800_000_000_450L;

    @Test
    void neverRevokedAcceptsEveryIssueTimeEvenNone() {
        assertThat(Accounts.issuedAfter(AppJwts.NEVER_ISSUED, 0)).isTrue();
        assertThat(Accounts.issuedAfter(1_000, 0)).isTrue();
    }

    @Test
    void tokensOfTheRevocationsSecondOrEarlierAreRefusedLaterOnesAccepted() {
        assertThat(Accounts.refusedUpTo(REVOKED_AT)).isEqualTo(1_800_000_000_999L);
        assertThat(Accounts.issuedAfter(1_799_999_999_000L, REVOKED_AT)).isFalse();
        assertThat(Accounts.issuedAfter(1_800_000_000_000L, REVOKED_AT)).as("same second: may be older").isFalse();
        assertThat(Accounts.issuedAfter(1_800_000_001_000L, REVOKED_AT)).isTrue();
        assertThat(Accounts.issuedAfter(AppJwts.NEVER_ISSUED, REVOKED_AT)).as("no iat nor nbf").isFalse();
    }
}
