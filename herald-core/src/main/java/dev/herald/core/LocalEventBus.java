package dev.herald.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link EventBus#local()}: calls the listeners on the publisher's thread. */
final class LocalEventBus implements EventBus {

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void announce(Event event) {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    @Override
    public Registration listen(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
