package dev.presence.server.chat;

import dev.presence.server.config.ServerConfig;
import dev.presence.server.store.ChatStore;
import dev.presence.server.store.StoreException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The services answer a store's failure as a ChatException, so the HTTP layer never sees the store's kind. */
class StoreFailuresTest {

    private static final StoreException DOWN = new StoreException("connection refused",
            new SQLException("connection refused", "08001"));
    private static final StoreException BAD_VALUE = new StoreException("value too long",
            new SQLException("value too long", "22001"));

    /** A store whose every call fails with {@code failure}. */
    private static ChatStore failingWith(StoreException failure) {
        return (ChatStore) Proxy.newProxyInstance(ChatStore.class.getClassLoader(), new Class<?>[]{ChatStore.class},
                (proxy, method, args) -> {
                    throw failure;
                });
    }

    @Test
    void aFailedDatabaseIs503WithTheFailureKeptForTheLog() {
        ChatException e = StoreFailures.translate(DOWN);

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("unavailable");
        assertThat(e.getMessage()).doesNotContain("connection refused");
        assertThat(e.getCause()).isSameAs(DOWN);
    }

    @Test
    void aValueTheDatabaseRefusedIsTheClients400() {
        ChatException e = StoreFailures.translate(BAD_VALUE);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_request");
        assertThat(e.getCause()).isNull();
    }

    @Test
    void servicesTranslateWhatTheStoreThrows() {
        ServerConfig config = ServerConfig.defaults();
        Accounts accounts = new Accounts(failingWith(DOWN), null, Runnable::run, null, config);
        Threads threads = new Threads(failingWith(DOWN), failingWith(DOWN), null, null, new MembershipLocks(),
                config);
        Messages messages = new Messages(failingWith(DOWN), null, threads, config);
        Threads refusing = new Threads(failingWith(BAD_VALUE), failingWith(BAD_VALUE), null, null,
                new MembershipLocks(), config);

        assertThat(statusOf(() -> accounts.identify("a-token"))).isEqualTo(503);
        assertThat(statusOf(() -> accounts.me("u1"))).isEqualTo(503);
        assertThat(statusOf(() -> threads.threads("u1"))).isEqualTo(503);
        assertThat(statusOf(() -> threads.leave("u1", "t1"))).isEqualTo(503);
        assertThat(statusOf(() -> messages.messages("u1", "t1", 50, null))).isEqualTo(503);
        assertThat(statusOf(() -> refusing.createThread("u1", "a title"))).isEqualTo(400);
    }

    private static int statusOf(ThrowingCallable call) {
        return catchThrowableOfType(ChatException.class, call).status();
    }
}
