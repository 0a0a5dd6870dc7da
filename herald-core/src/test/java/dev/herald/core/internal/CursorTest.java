package dev.herald.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CursorTest {

    @Test
    void readsAndWritesPlainAndReorderedCursors() {
        assertThat(Cursor.parse("42").format()).isEqualTo("42");
        Cursor reordered = Cursor.parse("8~10~12");
        assertThat(reordered.position()).isEqualTo(8);
        assertThat(reordered.covers(7)).isTrue();
        assertThat(reordered.covers(9)).isFalse();
        assertThat(reordered.covers(10)).isTrue();
        assertThat(reordered.covers(11)).isFalse();
        assertThat(reordered.format()).isEqualTo("8~10~12");
    }

    @Test
    void inOrderDeliveryKeepsThePlainId() {
        DeliveryCursor cursor = new DeliveryCursor(Cursor.at(4));

        cursor.delivered(5, Long.MAX_VALUE);

        assertThat(cursor.format()).isEqualTo("5");
        assertThat(cursor.isPlain(5)).isTrue();
    }

    @Test
    void anEventDeliveredAheadOfWaitingOnesIsCarriedUntilTheGapCloses() {
        DeliveryCursor cursor = new DeliveryCursor(Cursor.at(8));

        cursor.delivered(10, 9); // 9 still waits
        assertThat(cursor.format()).isEqualTo("8~10");
        assertThat(cursor.covers(9)).isFalse();

        cursor.delivered(9, Long.MAX_VALUE);
        assertThat(cursor.format()).isEqualTo("10");
    }

    @Test
    void replayAdvancesPastEventsAndDropsCarriedIdsItReaches() {
        DeliveryCursor cursor = new DeliveryCursor(Cursor.parse("8~10"));

        cursor.advanceTo(9);
        assertThat(cursor.format()).isEqualTo("9~10");
        assertThat(cursor.covers(10)).isTrue();
        cursor.advanceTo(10);
        assertThat(cursor.format()).isEqualTo("10");
    }

    @Test
    void deliveringACoveredEventChangesNothing() {
        DeliveryCursor cursor = new DeliveryCursor(Cursor.parse("8~10"));

        cursor.delivered(7, Long.MAX_VALUE);
        cursor.delivered(10, Long.MAX_VALUE);

        assertThat(cursor.format()).isEqualTo("8~10");
    }
}
