package dev.presence.server.store;

import dev.presence.server.presence.StatusStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link JdbcChatStore} as the aggregate: each call reaches the store of its port, unchanged. */
class JdbcChatStoreTest {

    /** A call a port received: which port, which method, which arguments. */
    private record Call(Class<?> port, String method, List<Object> args) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final JdbcChatStore store = new JdbcChatStore(recording(AccountStore.class), recording(ThreadStore.class),
            recording(MessageStore.class), recording(StatusStore.class), recording(WebhookOutbox.class),
            () -> closed.set(true));

    @Test
    void everyCallReachesTheStoreOfItsPortWithItsArguments() throws Exception {
        List<Method> methods = new ArrayList<>();
        for (Class<?> port : List.of(AccountStore.class, ThreadStore.class, MessageStore.class, StatusStore.class)) {
            for (Method method : port.getDeclaredMethods()) {
                if (Modifier.isAbstract(method.getModifiers())) {
                    methods.add(method);
                }
            }
        }
        assertThat(methods).hasSizeGreaterThan(20);

        for (Method method : methods) {
            calls.clear();
            Object[] args = arguments(method);

            method.invoke(store, args);

            assertThat(calls).as(method.toString())
                    .containsExactly(new Call(method.getDeclaringClass(), method.getName(), Arrays.asList(args)));
        }
    }

    @Test
    void closingClosesTheDatabase() {
        store.close();

        assertThat(closed).isTrue();
    }

    /** Distinct arguments for each parameter, so a swapped pair would show. */
    private static Object[] arguments(Method method) {
        Class<?>[] types = method.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i];
            if (type == String.class) {
                args[i] = "arg" + i;
            } else if (type == long.class) {
                args[i] = 1_000L + i;
            } else if (type == int.class) {
                args[i] = 10 + i;
            } else if (type == Collection.class || type == List.class) {
                args[i] = List.of("arg" + i);
            } else if (type == Consumer.class) {
                args[i] = (Consumer<Object>) x -> { };
            } else if (type == BiConsumer.class) {
                args[i] = (BiConsumer<Object, Object>) (x, y) -> { };
            } else {
                throw new AssertionError("no argument of " + type + " for " + method);
            }
        }
        return args;
    }

    private <T> T recording(Class<T> port) {
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, (proxy, method, args) -> {
            calls.add(new Call(port, method.getName(), args == null ? List.of() : Arrays.asList(args)));
            Class<?> type = method.getReturnType();
            if (type == Optional.class) {
                return Optional.empty();
            } else if (type == List.class) {
                return List.of();
            } else if (type == boolean.class) {
                return false;
            }
            return null;
        }));
    }
}
