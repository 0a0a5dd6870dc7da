package dev.herald.core;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/** {@link DeliveryCursors#inMemory()}: a concurrent map; cursors only move forward. */
final class InMemoryDeliveryCursors implements DeliveryCursors {

    private final ConcurrentHashMap<String, Long> positions = new ConcurrentHashMap<>();

    @Override
    public void delivered(String userId, long position) {
        positions.merge(userId, position, Math::max);
    }

    @Override
    public OptionalLong lastDelivered(String userId) {
        Long position = positions.get(userId);
        return position == null ? OptionalLong.empty() : OptionalLong.of(position);
    }

    @Override
    public void close() {
    }
}
