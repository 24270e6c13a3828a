package dev.presence.server.chat;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordsTest {

    /** 100 characters; the two differ only in the last one, well after bcrypt's 72 bytes. */
    private static final String LONG = "a".repeat(99) + "1";
    private static final String LONG_OTHER = "a".repeat(99) + "2";

    @Test
    void hashesAreArgon2idAndEveryCharacterCounts() {
        String hash = Passwords.hash(LONG);

        assertThat(hash).startsWith("$argon2id$v=19$m=12288,t=3,p=1$");
        assertThat(Passwords.matches(LONG, hash)).isTrue();
        assertThat(Passwords.matches(LONG_OTHER, hash)).isFalse();
        assertThat(Passwords.matches(LONG.substring(0, 72), hash)).isFalse();
        assertThat(Passwords.hash(LONG)).isNotEqualTo(hash); // salted
    }

    @Test
    void nonAsciiPasswordsAreHashedAsUtf8() {
        String hash = Passwords.hash("pässwörd-ünïcode-🔑");

        assertThat(Passwords.matches("pässwörd-ünïcode-🔑", hash)).isTrue();
        assertThat(Passwords.matches("passwörd-ünïcode-🔑", hash)).isFalse();
    }

    @Test
    void aBcryptHashStillMatchesAndIsReplacedByArgon2id() {
        String bcrypt = OpenBSDBCrypt.generate("2y", "correct-horse".toCharArray(), new byte[16], 4);

        Passwords.Check right = Passwords.check("correct-horse", bcrypt);
        Passwords.Check wrong = Passwords.check("wrong-horse", bcrypt);

        assertThat(right.matches()).isTrue();
        assertThat(right.rehash()).startsWith("$argon2id$");
        assertThat(Passwords.matches("correct-horse", right.rehash())).isTrue();
        assertThat(wrong.matches()).isFalse();
        assertThat(wrong.rehash()).isNull();
    }

    @Test
    void aCurrentHashIsNotReplacedButWeakerArgon2SettingsAre() {
        String current = Passwords.hash("correct-horse");
        String weaker = new org.springframework.security.crypto.argon2.Argon2PasswordEncoder(16, 32, 1, 1024, 1)
                .encode("correct-horse");

        assertThat(Passwords.check("correct-horse", current)).isEqualTo(new Passwords.Check(true, null));
        assertThat(Passwords.check("correct-horse", weaker).rehash()).startsWith("$argon2id$v=19$m=12288,t=3,p=1$");
    }

    @Test
    void malformedHashesNeverMatch() {
        assertThat(Passwords.matches("x", "")).isFalse();
        assertThat(Passwords.matches("x", "plain-text")).isFalse();
        assertThat(Passwords.matches("x", "$argon2id$garbage")).isFalse();
        assertThat(Passwords.matches("x", "$2y$10$short")).isFalse();
    }
}
