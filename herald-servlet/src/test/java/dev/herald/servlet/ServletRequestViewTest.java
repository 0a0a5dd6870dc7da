package dev.herald.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.http.TrustedProxies;
import jakarta.servlet.http.Cookie;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class ServletRequestViewTest {

    @Test
    void thePathIsTheOneInsideTheApplication() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/app/events");
        request.setContextPath("/app");

        assertThat(new ServletRequestView(request).path()).isEqualTo("/events");
    }

    @Test
    void readsRepeatedParametersCookiesAndHeaders() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/events");
        request.setQueryString("topic=news&topic=alerts");
        request.setCookies(new Cookie("other", "x"), new Cookie("herald_token", "t0k3n"));
        request.addHeader("Last-Event-ID", "42");
        ServletRequestView view = new ServletRequestView(request);

        assertThat(view.method()).isEqualTo("GET");
        assertThat(view.parameters("topic")).containsExactly("news", "alerts");
        assertThat(view.parameters("missing")).isEmpty();
        assertThat(view.cookie("herald_token")).isEqualTo("t0k3n");
        assertThat(view.cookie("missing")).isNull();
        assertThat(view.header("last-event-id")).isEqualTo("42");
    }

    @Test
    void parametersComeFromTheQueryAloneNeverFromAFormBody() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/.well-known/mercure");
        request.setQueryString("topic=a%2Fb&topic=c+d");
        request.setContentType("application/x-www-form-urlencoded");
        request.setContent("topic=from-the-body&access_token=secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        request.addParameter("topic", "from-the-body");
        request.addParameter("access_token", "secret");
        ServletRequestView view = new ServletRequestView(request);

        assertThat(view.parameters("topic")).containsExactly("a/b", "c d");
        assertThat(view.parameters("access_token")).isEmpty();
    }

    @Test
    void theRawPathKeepsEscapesThatThePathOfTheApiMustNotSplitOn() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/app/.well-known/mercure/subscriptions/a%2Fb");
        request.setContextPath("/app");

        assertThat(new ServletRequestView(request).rawPath()).isEqualTo("/.well-known/mercure/subscriptions/a%2Fb");
    }

    @Test
    void everyForwardedForLineCountsWhenTheProxyIsTrusted() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/events");
        request.setRemoteAddr("10.0.0.2");
        // The client sent a forged line of its own; the trusted proxy added a line rather than
        // appending to it. The client is the rightmost address that is not a trusted proxy.
        request.addHeader("X-Forwarded-For", "203.0.113.9");
        request.addHeader("X-Forwarded-For", "198.51.100.7");

        assertThat(new ServletRequestView(request, TrustedProxies.of(List.of("10.0.0.0/8"))).remoteAddress())
                .isEqualTo("198.51.100.7");
        assertThat(new ServletRequestView(request).remoteAddress()).as("no proxy believed").isEqualTo("10.0.0.2");
    }

    @Test
    void theResumePointIsTheHeaderElseTheQueryParameter() {
        MockHttpServletRequest reconnect = new MockHttpServletRequest("GET", "/events");
        reconnect.addHeader("Last-Event-ID", "7");
        reconnect.setQueryString("lastEventId=3");
        MockHttpServletRequest fresh = new MockHttpServletRequest("GET", "/events");
        fresh.setQueryString("lastEventID=5");

        assertThat(EventStreams.lastEventId(reconnect)).isEqualTo("7");
        assertThat(EventStreams.lastEventId(fresh)).isEqualTo("5");
        assertThat(EventStreams.lastEventId(new MockHttpServletRequest())).isNull();
    }
}
