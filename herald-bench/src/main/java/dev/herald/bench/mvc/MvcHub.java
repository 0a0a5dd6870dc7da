package dev.herald.bench.mvc;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Herald embedded the way an application embeds it: {@code herald-spring-boot-starter} and
 * {@code herald-servlet} in a Spring MVC application on Tomcat, with virtual threads. Measures the
 * servlet transport.
 */
@SpringBootApplication
public class MvcHub {

    public static void main(String[] args) {
        SpringApplication.run(MvcHub.class, args);
    }
}
