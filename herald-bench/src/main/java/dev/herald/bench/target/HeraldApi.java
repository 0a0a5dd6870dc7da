package dev.herald.bench.target;

import dev.herald.bench.load.PublishFormat;
import dev.herald.bench.load.UrlTemplate;

/** A target that speaks Herald's HTTP API: {@code GET}/{@code POST /events} on its port. */
interface HeraldApi extends Target {

    int port();

    @Override
    default UrlTemplate subscribeUrl() {
        return UrlTemplate.of("http://127.0.0.1:" + port() + "/events?topic={topic}");
    }

    @Override
    default UrlTemplate publishUrl() {
        return UrlTemplate.of("http://127.0.0.1:" + port() + "/events");
    }

    @Override
    default PublishFormat publishFormat() {
        return PublishFormat.HERALD_JSON;
    }
}
