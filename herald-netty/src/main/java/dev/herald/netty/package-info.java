/**
 * Herald on Netty: {@link dev.herald.netty.HeraldNettyServer} serves a hub's HTTP API, and
 * {@link dev.herald.netty.StreamRoute}s add the application's own stream endpoints. Streams are
 * written straight to each channel on its event loop.
 */
package dev.herald.netty;
