package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.http.testing.Tokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Mercure hub at {@code /.well-known/mercure} as Mercure's own clients use it: a page in a real
 * headless Chromium subscribes with a plain {@code EventSource} (no token, or Mercure's
 * {@code mercureAuthorization} cookie), and a publisher posts forms with a token carrying Mercure's
 * {@code mercure} claim, signed with the hub's secret.
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.history.store=memory",
    "herald.auth.jwt.secret=" + MercureBrowserTest.SECRET,
    "herald.heartbeat=1s",
})
class MercureBrowserTest {

    static final String SECRET = "mercure-test-secret-that-is-at-least-32-bytes";
    private static final String HUB = "/.well-known/mercure";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Tokens TOKENS = Tokens.hs256(SECRET.getBytes(StandardCharsets.UTF_8));
    private static final String PUBLISHER = mercureToken("publisher", List.of(), List.of("*"));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * Opens an EventSource on the page as {@code window.streams[name]}: every event it dispatches is
     * logged with how it arrived ({@code message} for onmessage, else the listener's type).
     */
    private static final String HARNESS = """
            window.streams = window.streams || {};
            window.subscribe = function (name, url, types) {
              const stream = {log: [], opened: false, errors: 0};
              const source = new EventSource(url);
              stream.source = source;
              const record = via => e => stream.log.push({via: via, type: e.type, data: e.data, id: e.lastEventId});
              source.onopen = () => { stream.opened = true; };
              source.onerror = () => { stream.errors++; };
              source.onmessage = record('message');
              for (const type of types) {
                source.addEventListener(type, record(type));
              }
              window.streams[name] = stream;
            };
            """;

    private static ChromeDriver browser;
    private static String mainWindow;

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    /** A seen event: how the page received it (onmessage or a listener), its type, data and lastEventId. */
    record Seen(String via, String type, String data, String id) {
    }

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Chromium.start();
        mainWindow = browser.getWindowHandle();
    }

    @AfterAll
    static void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void openPage() {
        page();
        browser.manage().deleteAllCookies();
    }

    /**
     * Closes every EventSource and extra tab. Closing them explicitly matters: a page left by
     * navigating may stay alive in Chromium's back/forward cache with its streams open.
     */
    @AfterEach
    void leavePage() {
        if (browser == null) {
            return;
        }
        for (String handle : new ArrayList<>(browser.getWindowHandles())) {
            browser.switchTo().window(handle);
            browser.executeScript("for (const s of Object.values(window.streams || {})) { s.source.close(); }");
            if (!handle.equals(mainWindow)) {
                browser.close();
            }
        }
        browser.switchTo().window(mainWindow);
        browser.get("about:blank");
        browser.manage().deleteAllCookies();
        waiting().until(() -> hub.stats().connections() == 0);
    }

    /** Awaitility bounded by {@link #WAIT}, polling often: the page answers in milliseconds. */
    private static ConditionFactory waiting() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25));
    }

    private static String mercureToken(String subject, List<String> subscribe, List<String> publish) {
        return TOKENS.token().subject(subject)
                .claim("mercure", Map.of("subscribe", subscribe, "publish", publish))
                .expiresAt(Instant.now().plus(Duration.ofMinutes(10)))
                .sign();
    }

    /** Loads the hub's home page (same origin as the hub) and installs the harness. */
    private void page() {
        browser.get("http://127.0.0.1:" + port + "/");
        browser.executeScript(HARNESS);
    }

    private static String query(String... topics) {
        StringBuilder query = new StringBuilder(HUB);
        for (int i = 0; i < topics.length; i++) {
            query.append(i == 0 ? '?' : '&').append("topic=").append(URLEncoder.encode(topics[i], StandardCharsets.UTF_8));
        }
        return query.toString();
    }

    /** Opens an EventSource on the page and waits until it is open and its subscription is live in the hub. */
    private void subscribe(String name, String url, String... listenerTypes) {
        int before = hub.connections().size();
        browser.executeScript("window.subscribe(arguments[0], arguments[1], arguments[2]);", name, url, List.of(listenerTypes));
        waiting().until(() -> Boolean.TRUE.equals(browser.executeScript("return window.streams[arguments[0]].opened;", name)));
        waiting().until(() -> hub.connections().size() == before + 1
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }

    private List<Seen> seen(String name) {
        List<?> log = (List<?>) browser.executeScript("return window.streams[arguments[0]].log;", name);
        List<Seen> seen = new ArrayList<>();
        for (Object entry : log) {
            Map<?, ?> event = (Map<?, ?>) entry;
            seen.add(new Seen((String) event.get("via"), (String) event.get("type"), (String) event.get("data"), (String) event.get("id")));
        }
        return seen;
    }

    private List<String> data(String name) {
        return seen(name).stream().map(Seen::data).toList();
    }

    private long errors(String name) {
        return ((Number) browser.executeScript("return window.streams[arguments[0]].errors;", name)).longValue();
    }

    private void awaitData(String name, String data) {
        waiting().until(() -> data(name).contains(data));
    }

    private HttpResponse<String> post(String token, String... fields) throws Exception {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < fields.length; i += 2) {
            if (!form.isEmpty()) {
                form.append('&');
            }
            form.append(URLEncoder.encode(fields[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + HUB))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
                .timeout(WAIT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Publishes the form fields (name, value, name, value...) as the publisher; the update's id. */
    private String publish(String... fields) throws Exception {
        HttpResponse<String> response = post(PUBLISHER, fields);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body()).isNotBlank();
        return response.body();
    }

    @Test
    void anAnonymousPageReceivesPublicUpdatesWithTheIdsThePublisherWasAnswered() throws Exception {
        String topic = "https://example.com/news/1";
        subscribe("news", query(topic));

        String generated = publish("topic", topic, "data", "first");
        String given = publish("topic", topic, "data", "second", "id", "https://example.com/news/1/revisions/2");
        awaitData("news", "second");

        assertThat(generated).startsWith("urn:uuid:68657261-6c64-8");
        assertThat(given).isEqualTo("https://example.com/news/1/revisions/2");
        assertThat(seen("news")).containsExactly(
                new Seen("message", "message", "first", generated),
                new Seen("message", "message", "second", given));
        assertThat(errors("news")).isZero();
        assertThat(hub.connections()).extracting(ConnectionInfo::userId).containsOnlyNulls();
    }

    @Test
    void aPrivateUpdateReachesTheCookieHolderWhoseSubscribeClaimMatchesAndNotTheAnonymousPage() throws Exception {
        String topic = "https://example.com/users/alice/inbox";
        subscribe("anonymous", query(topic));

        // A second page, in another tab, whose token (in Mercure's query parameter) grants another user's topics only.
        browser.switchTo().newWindow(WindowType.TAB);
        page();
        String bob = mercureToken("bob", List.of("https://example.com/users/bob/{+path}"), List.of());
        subscribe("bob", query(topic) + "&authorization=" + bob);
        String bobTab = browser.getWindowHandle();
        // A third, whose token travels in Mercure's cookie (set only now: the tabs share the cookie jar).
        browser.switchTo().newWindow(WindowType.TAB);
        page();
        String alice = mercureToken("alice", List.of("https://example.com/users/alice/{+path}"), List.of());
        browser.manage().addCookie(new Cookie("mercureAuthorization", alice, "/"));
        subscribe("alice", query(topic));
        String aliceTab = browser.getWindowHandle();
        assertThat(hub.connections()).extracting(ConnectionInfo::userId).containsExactlyInAnyOrder(null, "alice", "bob");

        String secret = publish("topic", topic, "data", "for alice only", "private", "on");
        String after = publish("topic", topic, "data", "public after");

        browser.switchTo().window(aliceTab);
        awaitData("alice", "public after");
        assertThat(seen("alice")).extracting(Seen::data, Seen::id)
                .containsExactly(Tuple.tuple("for alice only", secret),
                        Tuple.tuple("public after", after));
        assertThat(errors("alice")).isZero();
        browser.switchTo().window(mainWindow);
        awaitData("anonymous", "public after");
        assertThat(data("anonymous")).as("the private update never reached the anonymous page").containsExactly("public after");
        assertThat(errors("anonymous")).isZero();
        browser.switchTo().window(bobTab);
        awaitData("bob", "public after");
        assertThat(data("bob")).as("bob's token grants bob's topics, not alice's").containsExactly("public after");
        assertThat(errors("bob")).isZero();
    }

    @Test
    void aUriTemplateSelectsTheTopicsItExpandsTo() throws Exception {
        subscribe("books", query("https://example.com/books/{id}"));

        publish("topic", "https://example.com/books/1", "data", "book 1");
        publish("topic", "https://example.com/authors/1", "data", "author 1");
        publish("topic", "https://example.com/books/1/chapters/2", "data", "chapter 2 of book 1");
        publish("topic", "https://example.com/books/2", "data", "book 2");
        awaitData("books", "book 2");

        assertThat(data("books")).containsExactly("book 1", "book 2");
        assertThat(errors("books")).isZero();
    }

    @Test
    void aSubscriptionToTwoTopicsGetsBothAndAnUpdateOfBothOnce() throws Exception {
        subscribe("two", query("https://example.com/a", "https://example.com/b"));

        publish("topic", "https://example.com/a", "data", "to a");
        publish("topic", "https://example.com/b", "data", "to b");
        publish("topic", "https://example.com/c", "data", "to c");
        publish("topic", "https://example.com/a", "topic", "https://example.com/b", "data", "to a and b");
        publish("topic", "https://example.com/b", "data", "last");
        awaitData("two", "last");

        assertThat(data("two")).containsExactly("to a", "to b", "to a and b", "last");
        assertThat(errors("two")).isZero();
    }

    @Test
    void aTypedUpdateReachesOnlyTheListenerForItsType() throws Exception {
        String topic = "https://example.com/books/7";
        subscribe("typed", query(topic), "book-updated");

        String typed = publish("topic", topic, "data", "typed", "type", "book-updated");
        String untyped = publish("topic", topic, "data", "untyped");
        awaitData("typed", "untyped");

        assertThat(seen("typed")).containsExactly(
                new Seen("book-updated", "book-updated", "typed", typed),
                new Seen("message", "message", "untyped", untyped));
        assertThat(errors("typed")).isZero();
    }

    @Test
    void aPageResumesAfterADisconnectWithExactlyTheUpdatesItMissed() throws Exception {
        String topic = "https://example.com/orders/42";
        subscribe("first", query(topic));
        publish("topic", topic, "data", "before");
        awaitData("first", "before");
        String lastSeen = seen("first").getLast().id();
        assertThat(lastSeen).startsWith("urn:uuid:");

        browser.executeScript("window.streams.first.source.close();");
        waiting().until(() -> hub.stats().connections() == 0);
        String missed1 = publish("topic", topic, "data", "missed 1");
        String missed2 = publish("topic", topic, "data", "missed 2", "id", "https://example.com/orders/42/events/missed-2");
        subscribe("second", query(topic) + "&lastEventID=" + URLEncoder.encode(lastSeen, StandardCharsets.UTF_8));
        awaitData("second", "missed 2");
        String live = publish("topic", topic, "data", "live", "id", "https://example.com/orders/42/events/live");
        awaitData("second", "live");

        assertThat(seen("second")).extracting(Seen::data, Seen::id).containsExactly(
                Tuple.tuple("missed 1", missed1),
                Tuple.tuple("missed 2", missed2),
                Tuple.tuple("live", live));

        // Once more, from an id the publisher gave.
        assertThat(seen("second").getLast().id()).isEqualTo("https://example.com/orders/42/events/live");
        browser.executeScript("window.streams.second.source.close();");
        waiting().until(() -> hub.stats().connections() == 0);
        String missed3 = publish("topic", topic, "data", "missed 3");
        String missed4 = publish("topic", topic, "data", "missed 4");
        subscribe("third", query(topic) + "&lastEventID=" + URLEncoder.encode(seen("second").getLast().id(), StandardCharsets.UTF_8));
        awaitData("third", "missed 4");
        publish("topic", topic, "data", "live again");
        awaitData("third", "live again");

        assertThat(seen("third")).extracting(Seen::data).containsExactly("missed 3", "missed 4", "live again");
        assertThat(seen("third")).extracting(Seen::id).doesNotHaveDuplicates().contains(missed3, missed4);
        assertThat(errors("second") + errors("third")).isZero();
    }
}
