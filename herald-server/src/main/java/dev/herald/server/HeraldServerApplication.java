package dev.herald.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The standalone hub: {@code java -jar herald-server.jar}. One port (8080 unless
 * {@code --server.port} says otherwise) served by Netty: the HTTP API at {@code /events}, the seeds'
 * demo endpoints and pages, health and Prometheus metrics. Spring Boot provides configuration,
 * logging, metrics and the lifecycle; no servlet container runs. {@code java -jar
 * herald-server.jar token --sub alice ...} mints a development token instead ({@link TokenCommand}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class HeraldServerApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(TokenCommand.run(java.util.List.of(args).subList(1, args.length), System.getenv(), System.out, System.err));
        }
        // Netty samples buffers for leak reports by default, recording a stack trace per sample on
        // the event loops; tests keep it on, the server runs without it unless told otherwise.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        SpringApplication application = new SpringApplication(HeraldServerApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.run(args);
    }
}
