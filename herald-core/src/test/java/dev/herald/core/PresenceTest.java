package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A single node's presence: its shared documents are its own. */
class PresenceTest {

    private final Hub hub = Hub.builder().build();

    @AfterEach
    void close() {
        hub.close();
    }

    @Test
    void aLocalPresenceSharesReplacesAndWithdrawsDocuments() {
        Presence presence = Presence.local(hub);
        assertThat(presence.shared("subscriptions")).isEmpty();

        presence.share("subscriptions", "{\"v\":1}");
        presence.share("other", "{\"x\":true}");
        assertThat(presence.shared("subscriptions")).containsExactly("{\"v\":1}");
        assertThat(presence.shared("other")).containsExactly("{\"x\":true}");

        presence.share("subscriptions", "{\"v\":2}");
        assertThat(presence.shared("subscriptions")).containsExactly("{\"v\":2}");

        presence.share("subscriptions", null);
        assertThat(presence.shared("subscriptions")).isEmpty();
        assertThat(presence.shared("other")).containsExactly("{\"x\":true}");
        presence.share("never shared", null);
        assertThat(presence.shared("never shared")).isEmpty();
    }

    @Test
    void eachLocalPresenceKeepsItsOwnDocuments() {
        Presence one = Presence.local(hub);
        Presence two = Presence.local(hub);
        one.share("subscriptions", "mine");
        assertThat(two.shared("subscriptions")).isEmpty();
    }
}
