package dev.herald.bench.emitter;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The peer users would otherwise write: the seed posts' design, as is. A map of {@link SseEmitter}s
 * per topic in a controller; publishing calls {@code send()} on each, in a loop, on the publisher's
 * request thread; a failed send removes the emitter. Default Spring Boot settings.
 *
 * <p>{@code GET /sse?topic=T} subscribes, {@code POST /publish?topic=T} with the data as the body
 * publishes.
 */
@SpringBootApplication
@RestController
public class EmitterServer {

    private final Map<String, List<SseEmitter>> emitters = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    public static void main(String[] args) {
        SpringApplication.run(EmitterServer.class, args);
    }

    @GetMapping(path = "/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter subscribe(@RequestParam String topic) throws IOException {
        SseEmitter emitter = new SseEmitter(60L * 60 * 1000);
        List<SseEmitter> list = emitters.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
        list.add(emitter);
        emitter.onCompletion(() -> list.remove(emitter));
        emitter.onTimeout(() -> list.remove(emitter));
        emitter.onError(e -> list.remove(emitter));
        // The seeds send a first event so the response is committed at once.
        emitter.send(SseEmitter.event().name("connect").data("connected"));
        return emitter;
    }

    @PostMapping("/publish")
    public void publish(@RequestParam String topic, @RequestBody String data) {
        String id = Long.toString(ids.incrementAndGet());
        for (SseEmitter emitter : emitters.getOrDefault(topic, List.of())) {
            try {
                emitter.send(SseEmitter.event().id(id).data(data));
            } catch (IOException | IllegalStateException e) {
                emitters.get(topic).remove(emitter);
            }
        }
    }
}
