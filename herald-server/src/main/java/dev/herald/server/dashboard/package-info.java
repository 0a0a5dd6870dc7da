/**
 * The live dashboard of the standalone server: {@link dev.herald.server.dashboard.Dashboard} serves
 * the page at {@code /dashboard} and streams this node's metrics to it over Herald's own SSE.
 */
package dev.herald.server.dashboard;
