/**
 * How {@link dev.herald.http.Authentication} works inside: verifying JWTs with Nimbus JOSE+JWT
 * ({@link dev.herald.http.internal.JwtVerifier}), fetching and caching JWK sets
 * ({@link dev.herald.http.internal.RemoteJwkSet}), asking the application's authorization callback
 * ({@link dev.herald.http.internal.AuthorizationCallback}) and finding a request's token
 * ({@link dev.herald.http.internal.TokenAuthenticator}). Not API: public only so that
 * {@code dev.herald.http} can reach it; it may change in any release.
 */
package dev.herald.http.internal;
