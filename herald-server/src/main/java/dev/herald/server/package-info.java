/**
 * The standalone Herald server. {@link dev.herald.server.HeraldServerApplication} is the entry
 * point; {@code dev.herald.server.demo} holds the demo endpoints from the seed posts.
 */
package dev.herald.server;
