package dev.herald.server.dashboard;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the live dashboard, under {@code herald.dashboard.*}. */
@ConfigurationProperties("herald.dashboard")
public class DashboardProperties {

    /**
     * Whether to serve the dashboard: the page at {@code /dashboard} and its data at
     * {@code /dashboard/stream}, which only admin tokens (or, with no authentication configured,
     * the local callers the server trusts) may read.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
