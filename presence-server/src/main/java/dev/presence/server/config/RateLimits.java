package dev.presence.server.config;

import java.time.Duration;

/**
 * How often people may do the things that cost the server, or other people, the most. Each limit is a token
 * bucket: {@code count} at once, refilled evenly over {@code per}. Not flags: the defaults suit a chat app,
 * and tests shorten the windows.
 *
 * @param loginsPerAccount   failed and pending logins to one username (a success gives its attempt back)
 * @param loginsPerAddress   failed and pending logins from one client address (IPv6: its /64)
 * @param messagesPerUser    messages a user posts
 * @param invitationsPerUser invitations a user sends
 */
public record RateLimits(Rate loginsPerAccount, Rate loginsPerAddress, Rate messagesPerUser,
                         Rate invitationsPerUser) {

    public RateLimits {
        if (loginsPerAccount == null || loginsPerAddress == null || messagesPerUser == null
                || invitationsPerUser == null) {
            throw new IllegalArgumentException("every rate limit must be given");
        }
    }

    /**
     * The defaults: 10 logins per account and 50 per address per 5 minutes, 30 messages per 10 seconds,
     * 20 invitations per minute.
     */
    public static RateLimits defaults() {
        return new RateLimits(new Rate(10, Duration.ofMinutes(5)), new Rate(50, Duration.ofMinutes(5)),
                new Rate(30, Duration.ofSeconds(10)), new Rate(20, Duration.ofMinutes(1)));
    }

    public RateLimits withLoginsPerAccount(Rate rate) {
        return new RateLimits(rate, loginsPerAddress, messagesPerUser, invitationsPerUser);
    }

    public RateLimits withLoginsPerAddress(Rate rate) {
        return new RateLimits(loginsPerAccount, rate, messagesPerUser, invitationsPerUser);
    }

    public RateLimits withMessagesPerUser(Rate rate) {
        return new RateLimits(loginsPerAccount, loginsPerAddress, rate, invitationsPerUser);
    }

    public RateLimits withInvitationsPerUser(Rate rate) {
        return new RateLimits(loginsPerAccount, loginsPerAddress, messagesPerUser, rate);
    }

    /** {@code count} at once, and {@code count} more over each {@code per}, evenly. */
    public record Rate(long count, Duration per) {

        public Rate {
            if (count < 1) {
                throw new IllegalArgumentException("a rate limit must allow at least 1, not " + count);
            }
            if (per == null || per.isZero() || per.isNegative()) {
                throw new IllegalArgumentException("a rate limit's period must be positive, not "
                        + Durations.format(per));
            }
        }

        @Override
        public String toString() {
            return count + " per " + Durations.format(per);
        }
    }
}
