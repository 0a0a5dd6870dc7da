/**
 * Spring Boot auto-configuration for Herald: {@link dev.herald.spring.boot.HeraldAutoConfiguration}
 * (the hub) and {@link dev.herald.spring.boot.HeraldWebAutoConfiguration} ({@code herald-servlet}'s
 * endpoints, when the application runs Spring MVC), configured by
 * {@link dev.herald.spring.boot.HeraldProperties}; {@link dev.herald.spring.boot.ClusterMode} tells
 * a node of a cluster from a single node.
 */
package dev.herald.spring.boot;
