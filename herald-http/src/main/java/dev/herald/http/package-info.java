/**
 * Herald's HTTP API, independent of any server: {@link dev.herald.http.Subscriptions} and
 * {@link dev.herald.http.PublishRequests} read requests, {@link dev.herald.http.Problem} answers
 * failures, and {@link dev.herald.http.HeraldAuthenticator} says who is asking:
 * {@link dev.herald.http.Authentication} builds Herald's own (JWTs, JWK sets, an authorization
 * callback, anonymous access) and {@link dev.herald.http.TokenMinter} mints tokens for development.
 * The servlet and Netty transports adapt their requests with {@link dev.herald.http.HttpRequestView}.
 */
package dev.herald.http;
