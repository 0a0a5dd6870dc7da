package dev.herald.spring.test;

import dev.herald.spring.boot.HeraldMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A registry with Herald's meters bound to it, for the tests that read them: without Actuator
 * nobody binds the starter's meters. A test brings it with {@code @Import(HeraldMeterRegistry.class)}.
 */
@TestConfiguration
class HeraldMeterRegistry {

    @Bean
    SimpleMeterRegistry heraldTestRegistry(HeraldMetrics metrics) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        return registry;
    }
}
