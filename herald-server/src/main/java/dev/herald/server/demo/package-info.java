/** The seed posts' endpoints, rebuilt on the hub: {@link dev.herald.server.demo.SeedDemos}. */
package dev.herald.server.demo;
