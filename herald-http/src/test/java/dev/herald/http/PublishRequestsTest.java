package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.InvalidEventException;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PublishRequestsTest {

    private final PublishRequests requests = new PublishRequests();

    private Publication read(String json) {
        return requests.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryField() {
        Publication publication = read("""
                {"topics": ["a", "b"], "topic": "c", "type": "t", "data": {"x": [1, "y"]}, "id": "k",
                 "retry": 1500, "private": true, "users": ["u1"], "priority": "HIGH"}""");

        assertThat(publication.topics()).containsExactly("a", "b", "c");
        assertThat(publication.type()).isEqualTo("t");
        assertThat(publication.data()).isEqualTo("{\"x\":[1,\"y\"]}");
        assertThat(publication.key()).isEqualTo("k");
        assertThat(publication.retry()).isEqualTo(Duration.ofMillis(1500));
        assertThat(publication.privateEvent()).isTrue();
        assertThat(publication.audience()).containsExactly("u1");
        assertThat(publication.priority()).isEqualTo(Priority.HIGH);
    }

    @Test
    void keepsStringDataAsIs() {
        assertThat(read("{\"topic\": \"t\", \"data\": \"line\\nline\"}").data()).isEqualTo("line\nline");
        assertThat(read("{\"topic\": \"t\"}").data()).isEmpty();
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> read("{\"topic\": 5}")).isInstanceOf(InvalidEventException.class).hasMessageContaining("\"topic\" must be a string");
        assertThatThrownBy(() -> read("{\"topic\": \"t\"} x")).isInstanceOf(InvalidEventException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> read("{\"topic\": \"t\", \"private\": 1}")).hasMessageContaining("\"private\"");
    }

    @Test
    void recognisesJsonContentTypes() {
        assertThat(PublishRequests.isJson("application/json; charset=utf-8")).isTrue();
        assertThat(PublishRequests.isJson("application/merge-patch+json")).isTrue();
        assertThat(PublishRequests.isJson("text/plain")).isFalse();
        assertThat(PublishRequests.isJson(null)).isFalse();
    }
}
