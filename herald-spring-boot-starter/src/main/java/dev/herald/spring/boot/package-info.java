/**
 * Spring Boot auto-configuration for Herald: {@link dev.herald.spring.boot.HeraldAutoConfiguration}
 * (the hub) and {@link dev.herald.spring.boot.HeraldWebAutoConfiguration} ({@code herald-servlet}'s
 * endpoints, when the application runs Spring MVC), configured by
 * {@link dev.herald.spring.boot.HeraldProperties}.
 */
package dev.herald.spring.boot;
