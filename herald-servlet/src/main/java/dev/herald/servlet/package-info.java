/**
 * Herald's HTTP API on servlet containers, through Spring MVC: the servlet transport, beside
 * {@code herald-netty}. Every request is read, authenticated and authorized by {@code herald-http}'s
 * {@link dev.herald.http.HeraldApi}, the same rules as every transport.
 *
 * <p>For applications: {@link dev.herald.servlet.EventStreams} serves a stream from your own
 * controller, and {@link dev.herald.servlet.ServletRequestView} is a servlet request as
 * {@code herald-http} reads it. For the auto-configuration ({@code herald-spring-boot-starter}),
 * which registers them: {@link dev.herald.servlet.HeraldEndpoints} ({@code GET}/{@code POST
 * /events}), {@link dev.herald.servlet.HeraldPresenceEndpoint},
 * {@link dev.herald.servlet.HeraldConnectionsEndpoint}, {@link dev.herald.servlet.HeraldProblems}
 * (problem responses) and {@link dev.herald.servlet.HeraldPathFilter}. How a stream is written
 * ({@code ServletEventSink}: the hub's writer on one side, the container's callbacks on the other)
 * is internal; its threads and its lock are described in {@code docs/CONCURRENCY.md}.
 */
package dev.herald.servlet;
