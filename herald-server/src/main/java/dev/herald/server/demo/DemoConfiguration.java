package dev.herald.server.demo;

import dev.herald.spring.boot.HeraldCors;
import dev.herald.spring.boot.HeraldProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** CORS for the demo endpoints, from the same {@code herald.cors.*} settings as the API. */
@Configuration(proxyBeanMethods = false)
class DemoConfiguration {

    @Bean
    WebMvcConfigurer demoCors(HeraldProperties properties) {
        return new WebMvcConfigurer() {
            @Override
            public void addCorsMappings(CorsRegistry registry) {
                HeraldCors.register(registry, properties.getCors(), "/sse", "/stream-sse", "/connect/**");
            }
        };
    }
}
