package dev.herald.spring.boot;

import dev.herald.spring.boot.ConditionalOnBackend.Backend;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition of {@link ConditionalOnBackend}: which backend the environment selects. A Redis URL
 * selects {@link Backend#REDIS} whatever {@code herald.history.store} says (the Redis backend then
 * refuses a store set beside it); otherwise the store in effect decides.
 */
final class OnBackendCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Backend required = (Backend) metadata.getAnnotationAttributes(ConditionalOnBackend.class.getName()).get("value");
        ConditionMessage.Builder message = ConditionMessage.forCondition(ConditionalOnBackend.class, required);
        Backend selected;
        try {
            selected = selected(context.getEnvironment());
        } catch (BindException e) {
            // No backend then: binding HeraldProperties fails the same way, with Spring Boot's report of it.
            return ConditionOutcome.noMatch(message.because("herald.redis or herald.history cannot be bound"));
        }
        String reason = "herald.redis and herald.history select " + selected;
        return selected == required ? ConditionOutcome.match(message.because(reason)) : ConditionOutcome.noMatch(message.because(reason));
    }

    /** The backend that {@code herald.redis.*}, {@code herald.history.*} (and maybe {@code spring.data.redis.*}) select. */
    static Backend selected(Environment environment) {
        HeraldProperties properties = new HeraldProperties();
        Binder binder = Binder.get(environment);
        binder.bind("herald.redis", Bindable.ofInstance(properties.getRedis()));
        binder.bind("herald.history", Bindable.ofInstance(properties.getHistory()));
        try {
            if (ClusterMode.redisUrl(properties, environment) != null) {
                return Backend.REDIS;
            }
        } catch (IllegalStateException e) {
            // Cluster mode on Spring's Redis settings, of a kind Herald cannot follow: the Redis backend says which.
            return Backend.REDIS;
        }
        return properties.getHistory().effectiveStore() == HeraldProperties.History.Store.MEMORY ? Backend.MEMORY : Backend.JDBC;
    }
}
