package dev.herald.core.internal;

import dev.herald.core.ConnectionLimitException;
import dev.herald.core.ConnectionLimits;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every open connection, with the counts that enforce {@link ConnectionLimits} and the client ids
 * that let a reconnect replace its predecessor. Thread-safe; no lock is held while closing a
 * replaced connection.
 */
final class ConnectionRegistry {

    private final ConnectionLimits limits;
    private final ConcurrentHashMap<Long, StreamConnection> all = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ClientKey, StreamConnection> byClient = new ConcurrentHashMap<>();

    ConnectionRegistry(ConnectionLimits limits) {
        this.limits = limits;
    }

    /**
     * Closes the connection this user holds under the client id, if any, freeing its slot.
     *
     * @return whether there was one
     */
    boolean closePredecessor(String userId, String clientId) {
        if (clientId == null) {
            return false;
        }
        StreamConnection previous = byClient.get(new ClientKey(userId, clientId));
        if (previous == null) {
            return false;
        }
        previous.close("replaced by a new connection with the same client id");
        return true;
    }

    /**
     * Takes a slot for a new connection of the user.
     *
     * @throws ConnectionLimitException if the hub or the user is at the limit; nothing is taken
     */
    void reserve(String userId) {
        if (total.incrementAndGet() > limits.maxConnections()) {
            total.decrementAndGet();
            throw new ConnectionLimitException(ConnectionLimitException.Scope.HUB, limits.maxConnections(), limits.retryAfter());
        }
        if (userId == null) {
            return;
        }
        try {
            perUser.compute(userId, (user, count) -> {
                int current = count == null ? 0 : count;
                if (current >= limits.maxConnectionsPerUser()) {
                    throw new ConnectionLimitException(ConnectionLimitException.Scope.USER,
                            limits.maxConnectionsPerUser(), limits.retryAfter());
                }
                return current + 1;
            });
        } catch (ConnectionLimitException refused) {
            total.decrementAndGet();
            throw refused;
        }
    }

    /** Records a connection whose slot was reserved; replaces any other with its client id. */
    void add(StreamConnection connection) {
        all.put(connection.id(), connection);
        if (connection.clientId() != null) {
            StreamConnection previous = byClient.put(key(connection), connection);
            if (previous != null && previous != connection) {
                previous.close("replaced by a new connection with the same client id");
            }
        }
    }

    /** Releases a connection's slot; a no-op if it was released already. */
    void remove(StreamConnection connection) {
        if (all.remove(connection.id()) == null) {
            return;
        }
        total.decrementAndGet();
        String userId = connection.subscriber().userId();
        if (userId != null) {
            perUser.computeIfPresent(userId, (user, count) -> count <= 1 ? null : count - 1);
        }
        if (connection.clientId() != null) {
            byClient.remove(key(connection), connection);
        }
    }

    /** Releases a reservation whose connection was never added. */
    void unreserve(String userId) {
        total.decrementAndGet();
        if (userId != null) {
            perUser.computeIfPresent(userId, (user, count) -> count <= 1 ? null : count - 1);
        }
    }

    Collection<StreamConnection> all() {
        return all.values();
    }

    int size() {
        return total.get();
    }

    private static ClientKey key(StreamConnection connection) {
        return new ClientKey(connection.subscriber().userId(), connection.clientId());
    }

    private record ClientKey(String userId, String clientId) {
        ClientKey {
            Objects.requireNonNull(clientId);
        }
    }
}
