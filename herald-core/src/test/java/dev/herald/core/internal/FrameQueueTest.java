package dev.herald.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Event;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameQueueTest {

    private static Frame frame(long id, Priority priority) {
        return Frame.of(new Event(id, Instant.EPOCH, Publication.to("t").data("e" + id).priority(priority).build()));
    }

    private static List<Long> ids(List<Frame> frames) {
        return frames.stream().map(Frame::eventId).toList();
    }

    @Test
    void higherPrioritiesLeaveFirstAndEachLevelKeepsItsOrder() {
        FrameQueue queue = new FrameQueue();
        queue.add(frame(1, Priority.LOW));
        queue.add(frame(2, Priority.NORMAL));
        queue.add(frame(3, Priority.HIGH));
        queue.add(frame(4, Priority.NORMAL));
        queue.add(frame(5, Priority.HIGH));

        assertThat(ids(queue.take(1 << 20, 16, id -> false))).containsExactly(3L, 5L, 2L, 4L, 1L);
        assertThat(queue.size()).isZero();
    }

    @Test
    void overtakingIsBoundedSoTheResumeCursorStaysShort() {
        FrameQueue queue = new FrameQueue();
        queue.add(frame(1, Priority.NORMAL));
        for (long id = 2; id <= 40; id++) {
            queue.add(frame(id, Priority.HIGH));
        }

        List<Long> taken = ids(queue.take(1 << 20, 3, id -> false));

        assertThat(taken.subList(0, 4)).containsExactly(2L, 3L, 4L, 1L);
        assertThat(taken.subList(4, taken.size())).isSorted();
        assertThat(ids(new FrameQueue().take(1 << 20, 0, id -> false))).isEmpty();
    }

    @Test
    void framesAlreadySentAreDroppedAndNotCountedAsWaiting() {
        FrameQueue queue = new FrameQueue();
        for (long id = 1; id <= 5; id++) {
            queue.add(frame(id, Priority.NORMAL));
        }

        assertThat(queue.minEventId(id -> id <= 2)).isEqualTo(3);
        assertThat(ids(queue.take(1 << 20, 16, id -> id <= 3))).containsExactly(4L, 5L);
        assertThat(queue.size()).isZero();
    }

    @Test
    void withoutOvertakesFramesLeaveInArrivalOrder() {
        FrameQueue queue = new FrameQueue();
        queue.add(frame(1, Priority.LOW));
        queue.add(frame(2, Priority.HIGH));

        assertThat(ids(queue.take(1 << 20, 0, id -> false))).containsExactly(1L, 2L);
    }

    @Test
    void aBatchStopsAtTheByteBudgetButTakesAtLeastOneFrame() {
        FrameQueue queue = new FrameQueue();
        for (long id = 1; id <= 10; id++) {
            queue.add(frame(id, Priority.NORMAL));
        }
        int frameSize = frame(1, Priority.NORMAL).bytes().length;

        assertThat(queue.take(frameSize * 3, 16, id -> false)).hasSize(3);
        assertThat(queue.take(1, 16, id -> false)).hasSize(1);
        assertThat(queue.size()).isEqualTo(6);
        assertThat(queue.minEventId(id -> false)).isEqualTo(5);
    }
}
