package dev.presence.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The Lua scripts that make each change of the shared state atomic. Each is sent by its SHA-1 and, when Redis
 * does not know it (a restart flushes the script cache), once more in full.
 */
final class RedisScripts {

    /** One script: its text (with the shared functions in front) and the digest Redis knows it by. */
    record Script(String name, String source, String sha) {
    }

    final Script attach = load("attach");
    final Script detach = load("detach");
    final Script finalizeGrace = load("finalize");
    final Script sweep = load("sweep");
    final Script reap = load("reap");
    final Script cursor = load("cursor");
    final Script register = load("register");
    final Script renew = load("renew");
    final Script fence = load("fence");
    final Script deregister = load("deregister");
    final Script lock = load("lock");
    final Script member = load("member");

    /** Loads every script into Redis's cache, so the first calls need not send them in full; best effort. */
    void preload(RedisAsyncCommands<String, String> redis) {
        for (Script script : List.of(attach, detach, finalizeGrace, sweep, reap, cursor, register, renew, fence,
                deregister, lock, member)) {
            redis.scriptLoad(script.source());
        }
    }

    /** Runs a script; the future completes on a Lettuce thread. */
    static <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> redis, Script script,
                                        ScriptOutputType type, String[] keys, String... args) {
        CompletableFuture<T> bySha = redis.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
        return bySha.handle((result, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(result);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(script.source(), type, keys, args).toCompletableFuture();
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private static Script load(String name) {
        String source = read("common") + "\n" + read(name);
        return new Script(name, source, sha1(source));
    }

    private static String read(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = RedisScripts.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String source) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(digest.digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
