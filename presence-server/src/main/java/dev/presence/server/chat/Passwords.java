package dev.presence.server.chat;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.security.SecureRandom;

/** bcrypt (BouncyCastle), cost 10: about 50 ms a hash here, slow enough to make guessing expensive. */
public final class Passwords {

    private static final int COST = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked against when the username is unknown, so a wrong name takes as long as a wrong password. */
    private static final String DUMMY = hash("not a real password");

    private Passwords() {
    }

    public static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, COST);
    }

    public static boolean matches(String password, String hash) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (RuntimeException e) {
            return false; // a malformed hash or password never matches
        }
    }

    /** Spends the time of one check without a stored hash. */
    public static void burnCheck(String password) {
        matches(password, DUMMY);
    }
}
