/**
 * Herald over servlets: {@link dev.herald.spring.web.HeraldEndpoints} (the HTTP API),
 * {@link dev.herald.spring.web.EventStreams} (serve a stream from your own controller) and
 * {@link dev.herald.spring.web.ServletRequestView} (a request as {@code herald-http} reads it).
 */
package dev.herald.spring.web;
