/**
 * Herald's core: {@link dev.herald.core.Hub} is the entry point. Publishers build a
 * {@link dev.herald.core.Publication}; transports open a {@link dev.herald.core.Connection} with a
 * {@link dev.herald.core.SubscribeRequest} and hand it an {@link dev.herald.core.EventSink}.
 * Storage and clustering plug in through {@link dev.herald.core.EventLog} and
 * {@link dev.herald.core.EventBus}. Classes in {@code dev.herald.core.internal} are not API.
 */
package dev.herald.core;
