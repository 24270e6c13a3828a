package dev.presence.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link ClusterBus} on Redis pub/sub, one channel for the cluster. The publishing node delivers to its own
 * sessions at once (also while Redis is away) and skips its own message when it comes back; the others deliver
 * what they receive. Pub/sub is at most once: an event published while a node is cut off from Redis does not
 * reach that node (its clients catch up on reconnect, with the {@code welcome} and the message history).
 * Publishing never blocks the caller.
 */
public final class RedisClusterBus implements ClusterBus {

    private static final Logger log = LoggerFactory.getLogger(RedisClusterBus.class);
    private static final byte TO_USERS = 'u';
    private static final byte TO_THREAD = 't';
    private static final byte REVOKE = 'r';

    private final Executor hub;
    private final Receiver receiver;
    private final byte[] channel;
    private final String origin;
    private final StatefulRedisConnection<byte[], byte[]> publisher;
    private final StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
    private final CompletableFuture<Void> subscribed;
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder failed = new LongAdder();

    /**
     * @param keyPrefix the cluster's key prefix ({@link ClusterSettings#keyPrefix()})
     * @param hub       where the receiver runs: the hub's thread
     */
    public RedisClusterBus(RedisClient redis, String keyPrefix, Executor hub, Receiver receiver) {
        this.hub = hub;
        this.receiver = receiver;
        this.channel = new RedisKeys(keyPrefix, 1).bus().getBytes(StandardCharsets.UTF_8);
        byte[] token = new byte[8];
        new SecureRandom().nextBytes(token);
        this.origin = java.util.HexFormat.of().formatHex(token);
        this.publisher = ClusterRedis.connect(() -> redis.connect(ByteArrayCodec.INSTANCE));
        this.subscriber = ClusterRedis.connect(() -> redis.connectPubSub(ByteArrayCodec.INSTANCE));
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] from, byte[] message) {
                if (Arrays.equals(from, channel)) {
                    receive(message);
                }
            }
        });
        // Lettuce subscribes again by itself after a reconnect
        this.subscribed = subscriber.async().subscribe(channel).toCompletableFuture().thenApply(ok -> null);
    }

    /** Completes once this node receives what other nodes publish. */
    public CompletableFuture<Void> subscribed() {
        return subscribed;
    }

    @Override
    public void toUsers(Collection<String> userIds, byte[] event) {
        List<String> copy = List.copyOf(userIds);
        hub.execute(() -> receiver.toUsers(copy, event));
        publish(encode(TO_USERS, copy, event));
    }

    @Override
    public void toThread(String threadId, byte[] event) {
        hub.execute(() -> receiver.toThread(threadId, event));
        publish(encode(TO_THREAD, List.of(threadId), event));
    }

    /**
     * Like an event, at most once: a node cut off from Redis at that moment keeps the sessions it should close (the
     * store still refuses their tokens at the next connect). The ids are the user (or "" for none), then the hashes.
     */
    @Override
    public void revoke(String userId, long issuedUpTo, Collection<String> tokenHashes, String reason) {
        List<String> hashes = List.copyOf(tokenHashes);
        hub.execute(() -> receiver.revoke(userId, issuedUpTo, hashes, reason));
        List<String> ids = new ArrayList<>(hashes.size() + 1);
        ids.add(userId == null ? "" : userId);
        ids.addAll(hashes);
        ByteArrayOutputStream detail = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(detail)) {
            out.writeLong(issuedUpTo);
            out.writeUTF(reason);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        publish(encode(REVOKE, ids, detail.toByteArray()));
    }

    /** Events published by this node. */
    public long published() {
        return published.sum();
    }

    /** Events received from other nodes. */
    public long received() {
        return received.sum();
    }

    /** Events that could not be published (Redis away); they reached this node's sessions only. */
    public long failedPublishes() {
        return failed.sum();
    }

    private void publish(byte[] message) {
        publisher.async().publish(channel, message).whenComplete((listeners, failure) -> {
            if (failure != null) {
                failed.increment();
                log.debug("Bus event not published: {}", failure.toString());
            } else {
                published.increment();
            }
        });
    }

    private void receive(byte[] message) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            if (origin.equals(in.readUTF())) {
                return;
            }
            byte kind = in.readByte();
            int count = in.readInt();
            List<String> ids = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ids.add(in.readUTF());
            }
            byte[] event = in.readNBytes(in.readInt());
            received.increment();
            if (kind == TO_THREAD) {
                hub.execute(() -> receiver.toThread(ids.get(0), event));
            } else if (kind == REVOKE) {
                DataInputStream detail = new DataInputStream(new ByteArrayInputStream(event));
                long issuedUpTo = detail.readLong();
                String reason = detail.readUTF();
                String userId = ids.get(0).isEmpty() ? null : ids.get(0);
                List<String> hashes = List.copyOf(ids.subList(1, ids.size()));
                hub.execute(() -> receiver.revoke(userId, issuedUpTo, hashes, reason));
            } else {
                hub.execute(() -> receiver.toUsers(ids, event));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Dropped a malformed bus message: {}", e.toString());
        }
    }

    private byte[] encode(byte kind, List<String> ids, byte[] event) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(event.length + 32 + ids.size() * 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(origin);
            out.writeByte(kind);
            out.writeInt(ids.size());
            for (String id : ids) {
                out.writeUTF(id);
            }
            out.writeInt(event.length);
            out.write(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        subscriber.close();
        publisher.close();
    }
}
