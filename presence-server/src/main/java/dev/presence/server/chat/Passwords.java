package dev.presence.server.chat;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Password hashes: Argon2id (spring-security-crypto over BouncyCastle, in the PHC string format
 * {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}), which reads every byte of the password, unlike bcrypt's
 * first 72. Hashes made by earlier versions (bcrypt, {@code $2...}) are still checked, and
 * {@link #check} says when one should be replaced by an Argon2id hash of the password just given.
 *
 * <p>Every method here is slow on purpose: call it on the password pool ({@link PasswordPool}), never on an
 * event loop or a general worker.
 */
public final class Passwords {

    /**
     * Argon2id with 12 MiB, 3 passes, one lane: one of OWASP's equivalent minimum settings (12 MiB/t=3,
     * 19 MiB/t=2, 46 MiB/t=1), the one with the least memory, so the pool's memory stays small and bounded
     * (12 MiB per hashing thread). On this project's machine (2 cores, otherwise idle) one check takes
     * about 53 ms in BouncyCastle's pure-Java Argon2, the bcrypt cost 10 it replaces about 59 ms: a guess
     * costs an attacker about as much as before, and a login stays well under a second.
     */
    private static final Argon2PasswordEncoder ARGON2 = new Argon2PasswordEncoder(16, 32, 1, 12 * 1024, 3);
    private static final String CURRENT_PREFIX = "$argon2id$v=19$m=12288,t=3,p=1$";

    /** Checked against when the username is unknown, so a wrong name takes as long as a wrong password. */
    static final String DUMMY = hash("not a real password");

    private Passwords() {
    }

    /**
     * What a password check found.
     *
     * @param matches whether the password is the right one
     * @param rehash  the Argon2id hash that should replace the stored one (it matched an older kind), or null
     */
    public record Check(boolean matches, String rehash) {
    }

    /** A new Argon2id hash with a random salt. */
    public static String hash(String password) {
        return ARGON2.encode(password);
    }

    /** Whether the password matches the stored hash (Argon2id or bcrypt); a malformed hash never matches. */
    public static boolean matches(String password, String hash) {
        try {
            if (hash.startsWith("$argon2")) {
                return ARGON2.matches(password, hash);
            }
            if (hash.startsWith("$2")) {
                return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
            }
            return false;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Checks the password; if it matches a hash of an older kind or weaker settings, also hashes it anew, so
     * the caller can store the new hash (transparent re-hashing at the next successful login).
     */
    public static Check check(String password, String hash) {
        if (!matches(password, hash)) {
            return new Check(false, null);
        }
        return new Check(true, hash.startsWith(CURRENT_PREFIX) ? null : hash(password));
    }
}
