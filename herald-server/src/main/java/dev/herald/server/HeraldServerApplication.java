package dev.herald.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The standalone hub: {@code java -jar herald-server.jar}. One port (8080 unless
 * {@code --server.port} says otherwise) served by Netty: the HTTP API at {@code /events}, the seeds'
 * demo endpoints and pages, health and Prometheus metrics. Spring Boot provides configuration,
 * logging, metrics and the lifecycle; no servlet container runs.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class HeraldServerApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(HeraldServerApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.run(args);
    }
}
