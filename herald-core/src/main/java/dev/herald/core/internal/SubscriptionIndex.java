package dev.herald.core.internal;

import dev.herald.core.Event;
import dev.herald.core.TopicSelector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Live connections by the topics they select, so dispatching an event costs in proportion to the
 * connections that select it (plus one regex per distinct URI template), not to all connections.
 *
 * <p>Thread-safe. Writers register and unregister concurrently with the dispatcher's lookups; a
 * lookup sees every connection registered before it began.
 */
final class SubscriptionIndex {

    private final ConcurrentHashMap<String, Set<StreamConnection>> exact = new ConcurrentHashMap<>();
    private final Set<StreamConnection> any = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, TemplateEntry> templates = new ConcurrentHashMap<>();

    void add(StreamConnection connection) {
        for (TopicSelector selector : connection.topics()) {
            switch (selector) {
                case TopicSelector.Exact e -> exact.compute(e.value(), (key, set) -> {
                    Set<StreamConnection> members = set == null ? ConcurrentHashMap.newKeySet() : set;
                    members.add(connection);
                    return members;
                });
                case TopicSelector.Any a -> any.add(connection);
                case TopicSelector.Template t -> templates.compute(t.value(), (key, entry) -> {
                    TemplateEntry target = entry == null ? new TemplateEntry(t) : entry;
                    target.members.add(connection);
                    return target;
                });
            }
        }
    }

    void remove(StreamConnection connection) {
        for (TopicSelector selector : connection.topics()) {
            switch (selector) {
                case TopicSelector.Exact e -> exact.computeIfPresent(e.value(), (key, set) -> {
                    set.remove(connection);
                    return set.isEmpty() ? null : set;
                });
                case TopicSelector.Any a -> any.remove(connection);
                case TopicSelector.Template t -> templates.computeIfPresent(t.value(), (key, entry) -> {
                    entry.members.remove(connection);
                    return entry.members.isEmpty() ? null : entry;
                });
            }
        }
    }

    /**
     * Calls the action once for each live connection that selects one of the event's topics.
     * Called by one thread at a time per {@code scratch} (the dispatcher's).
     */
    void forEachSelecting(Event event, Scratch scratch, Consumer<StreamConnection> action) {
        List<Set<StreamConnection>> matched = scratch.sets;
        matched.clear();
        for (String topic : event.topics()) {
            Set<StreamConnection> members = exact.get(topic);
            if (members != null) {
                matched.add(members);
            }
            for (TemplateEntry entry : templates.values()) {
                if (entry.selector.matches(topic)) {
                    matched.add(entry.members);
                }
            }
        }
        if (!any.isEmpty()) {
            matched.add(any);
        }
        if (matched.size() == 1) {
            // The usual case (one topic, one kind of selector): nobody can be met twice.
            for (StreamConnection connection : matched.get(0)) {
                action.accept(connection);
            }
        } else if (!matched.isEmpty()) {
            Set<StreamConnection> seen = scratch.seen;
            seen.clear();
            for (Set<StreamConnection> members : matched) {
                for (StreamConnection connection : members) {
                    if (seen.add(connection)) {
                        action.accept(connection);
                    }
                }
            }
            seen.clear();
        }
        matched.clear();
    }

    /** Working memory for {@link #forEachSelecting}, reused across calls by one thread. */
    static final class Scratch {
        final List<Set<StreamConnection>> sets = new ArrayList<>();
        final Set<StreamConnection> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    }

    /** How many distinct selectors are indexed: for stats. */
    int selectorCount() {
        return exact.size() + templates.size() + (any.isEmpty() ? 0 : 1);
    }

    private static final class TemplateEntry {
        final TopicSelector.Template selector;
        final Set<StreamConnection> members = ConcurrentHashMap.newKeySet();

        TemplateEntry(TopicSelector.Template selector) {
            this.selector = selector;
        }
    }
}
