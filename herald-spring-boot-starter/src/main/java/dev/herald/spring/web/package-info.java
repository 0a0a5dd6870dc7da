/**
 * Herald over servlets: {@link dev.herald.spring.web.HeraldEndpoints} (the HTTP API),
 * {@link dev.herald.spring.web.EventStreams} (serve a stream from your own controller) and
 * {@link dev.herald.spring.web.HeraldAuthenticator} (where identity comes from).
 */
package dev.herald.spring.web;
