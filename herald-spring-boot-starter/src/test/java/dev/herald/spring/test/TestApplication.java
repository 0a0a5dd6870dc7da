package dev.herald.spring.test;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The smallest application that uses the starter: nothing but auto-configuration. */
@SpringBootApplication
public class TestApplication {
}
