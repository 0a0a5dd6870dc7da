package dev.herald.bench.target;

import dev.herald.bench.load.PublishFormat;
import dev.herald.bench.load.UrlTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A server whose main class lives in this module, run in its own JVM on this module's class path. */
abstract class MainClassTarget extends ProcessTarget {

    private final List<String> jvm;

    MainClassTarget(int port, Path work, List<String> jvm) {
        super(port, work);
        this.jvm = jvm;
    }

    protected abstract String mainClass();

    protected abstract List<String> args();

    @Override
    protected List<String> command() {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvm);
        command.addAll(List.of("-cp", classPath(), mainClass()));
        command.addAll(args());
        return command;
    }

    /** Targets that speak Herald's HTTP API. */
    abstract static class HeraldApi extends MainClassTarget {

        HeraldApi(int port, Path work, List<String> jvm) {
            super(port, work, jvm);
        }

        @Override
        public UrlTemplate subscribeUrl() {
            return UrlTemplate.of("http://127.0.0.1:" + port + "/events?topic={topic}");
        }

        @Override
        public UrlTemplate publishUrl() {
            return UrlTemplate.of("http://127.0.0.1:" + port + "/events");
        }

        @Override
        public PublishFormat publishFormat() {
            return PublishFormat.HERALD_JSON;
        }
    }
}
