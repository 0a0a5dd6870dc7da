package dev.herald.netty;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The access log of requests that are not streams (publishes, presence, pages, health), one line
 * each at DEBUG on the logger {@code dev.herald.access}: off by default, on with
 * {@code logging.level.dev.herald.access=debug}. The path is logged without its query, which may
 * hold a token, and with control characters shown as {@code ?}. With structured logging the
 * fields are also in the log context ({@code http.method}, {@code url.path}, {@code http.status},
 * {@code client.address}).
 */
final class AccessLog {

    private static final Logger log = LoggerFactory.getLogger("dev.herald.access");

    private AccessLog() {
    }

    /** Logs the answer to the exchange, if the access log is on. */
    static void answered(Exchange exchange, int status, int bytes) {
        if (exchange == null || !log.isDebugEnabled()) {
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exchange.startedNanos());
        String address = exchange.remoteAddress() == null ? "-" : exchange.remoteAddress();
        String shown = exchange.path().replaceAll("\\p{Cntrl}", "?");
        try (MDC.MDCCloseable method = MDC.putCloseable("http.method", exchange.method());
                MDC.MDCCloseable path = MDC.putCloseable("url.path", shown);
                MDC.MDCCloseable code = MDC.putCloseable("http.status", Integer.toString(status));
                MDC.MDCCloseable client = MDC.putCloseable("client.address", address)) {
            log.debug("{} {} {} {} bytes {} ms {}", exchange.method(), shown, status, bytes, millis, address);
        }
    }
}
