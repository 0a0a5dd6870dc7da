package dev.herald.spring.boot;

import dev.herald.core.Hub;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the hub's streams when the application stops, before the web server's graceful shutdown
 * begins: otherwise graceful shutdown would wait its whole timeout for streams that never end.
 */
final class HubLifecycle implements SmartLifecycle {

    /** Above the web server's graceful-shutdown phase, so this stops first. */
    static final int PHASE = Integer.MAX_VALUE - 512;

    private final Hub hub;
    private volatile boolean running = true;

    HubLifecycle(Hub hub) {
        this.hub = hub;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        hub.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
