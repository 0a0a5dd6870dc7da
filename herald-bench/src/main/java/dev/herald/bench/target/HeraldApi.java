package dev.herald.bench.target;

import dev.herald.bench.load.PublishFormat;
import dev.herald.bench.load.UrlTemplate;

/** A target that speaks Herald's HTTP API: {@code GET}/{@code POST /events} on its port, over TLS if it serves it. */
interface HeraldApi extends Target {

    int port();

    @Override
    default UrlTemplate subscribeUrl() {
        return UrlTemplate.of(origin() + "/events?topic={topic}");
    }

    @Override
    default UrlTemplate publishUrl() {
        return UrlTemplate.of(origin() + "/events");
    }

    /** {@code https} when the target serves TLS, on its one port. */
    private String origin() {
        return (certificate().isPresent() ? "https" : "http") + "://127.0.0.1:" + port();
    }

    @Override
    default PublishFormat publishFormat() {
        return PublishFormat.HERALD_JSON;
    }
}
