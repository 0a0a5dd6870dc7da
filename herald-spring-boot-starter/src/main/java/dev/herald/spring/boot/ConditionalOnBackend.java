package dev.herald.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code herald.redis.*} and {@code herald.history.*} select this backend (see
 * {@link OnBackendCondition}): on {@link BackendConfigurations}' classes and beans.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnBackendCondition.class)
@interface ConditionalOnBackend {

    /** The backend the annotated configuration or bean belongs to. */
    Backend value();

    /** Where a hub keeps its history and meets other nodes. */
    enum Backend {

        /** A cluster on Redis: a Redis URL applies ({@link ClusterMode#redisUrl}). */
        REDIS,

        /** A database through herald-jdbc: {@code herald.history.store} is in effect {@code h2} or {@code jdbc}. */
        JDBC,

        /** This process's memory: neither of the others. */
        MEMORY
    }
}
