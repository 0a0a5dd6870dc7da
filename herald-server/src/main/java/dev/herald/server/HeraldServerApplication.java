package dev.herald.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The standalone hub: {@code java -jar herald-server.jar}. One port (8080 unless
 * {@code --server.port} says otherwise), embedded defaults, the HTTP API at {@code /events}, the
 * seeds' demo endpoints and pages, and Actuator health and metrics.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class HeraldServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(HeraldServerApplication.class, args);
    }
}
