/**
 * The hub engine. Not API: these types may change in any release. The engine's threading rules
 * are in {@code docs/CONCURRENCY.md}.
 */
package dev.herald.core.internal;
