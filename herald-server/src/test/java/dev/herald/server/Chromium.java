package dev.herald.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Starts Debian's headless Chromium through its ChromeDriver. Where they are not installed, the
 * browser tests are skipped with a message, except under CI ({@code CI=true}), where that fails.
 */
final class Chromium {

    private static final File BROWSER = new File("/usr/bin/chromium");
    private static final File DRIVER = new File("/usr/bin/chromedriver");

    private Chromium() {
    }

    /**
     * Opens {@code count} EventSources on the page at the stream URL (relative to the page); each
     * counts the messages it receives in {@code window.received[i]}, and {@code window.sources[i]}
     * is the EventSource itself.
     */
    static void openEventSources(ChromeDriver browser, int count, String url) {
        browser.executeScript("window.received = []; window.sources = [];"
                + "for (let i = 0; i < arguments[0]; i++) {"
                + "  received.push(0);"
                + "  const source = new EventSource(arguments[1]);"
                + "  source.onmessage = () => received[i]++;"
                + "  sources.push(source);"
                + "}", count, url);
    }

    /** How many messages each EventSource of {@link #openEventSources} received. */
    static List<Integer> received(ChromeDriver browser) {
        return ((List<?>) browser.executeScript("return window.received;")).stream().map(count -> ((Number) count).intValue()).toList();
    }

    /** A browser; extra command-line switches may be given (e.g. {@code --ignore-certificate-errors} for a test certificate). */
    static ChromeDriver start(String... switches) throws Exception {
        if (!BROWSER.canExecute() || !DRIVER.canExecute()) {
            String message = "Browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        Path profile = Files.createTempDirectory("herald-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        options.addArguments(switches);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return driver;
    }
}
