package dev.herald.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticFilesTest {

    private final StaticFiles files = new StaticFiles();

    private FullHttpResponse get(String path) {
        return files.respond(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path), path);
    }

    @Test
    void pagesPointMercureClientsToTheHubWhenItIsServed() {
        StaticFiles withHub = new StaticFiles("/.well-known/mercure");
        FullHttpResponse page = withHub.respond(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), "/");
        try {
            assertThat(page.headers().get("Link")).isEqualTo("</.well-known/mercure>; rel=\"mercure\"");
        } finally {
            page.release();
        }
        FullHttpResponse without = get("/");
        try {
            assertThat(without.headers().contains("Link")).isFalse();
        } finally {
            without.release();
        }
    }

    @Test
    void pathsThatNameNothingAreNeverRemembered() {
        for (int i = 0; i < 5_000; i++) {
            assertThat(get("/missing-" + i + "-" + "x".repeat(200) + ".html")).isNull();
        }

        assertThat(files.cachedFiles()).isZero();
    }

    @Test
    void eachFileHasOneSpellingAndIsKeptOnce() {
        FullHttpResponse page = get("/users.html");
        assertThat(page).isNotNull();
        page.release();
        for (String other : List.of("//users.html", "/./users.html", "/x/../users.html", "/users.html/", "/USERS.HTML", "/users.html;x")) {
            FullHttpResponse response = get(other);
            if (response != null) {
                response.release();
            }
            assertThat(response).as(other).isNull();
        }
        assertThat(files.cachedFiles()).isEqualTo(1);
    }
}
