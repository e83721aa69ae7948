// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spring.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.micrometer.IpcbusMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * A {@link Bus} bean from {@link IpcbusProperties}, unless the application defines its own. Messages are written with
 * the application's {@link ObjectMapper} bean when there is one (Boot's, with its modules and settings), else with the
 * bus's default mapper. The bean is closed when the context closes: the node leaves the registry and its inbox and
 * shared memory are released before the JVM exits. With the actuator present an {@code ipcbus} health indicator is
 * added; with Micrometer and {@code ipcbus-micrometer} present, the node's counters become meters.
 */
@AutoConfiguration(after = JacksonAutoConfiguration.class)
@ConditionalOnClass(Bus.class)
@EnableConfigurationProperties(IpcbusProperties.class)
public class IpcbusAutoConfiguration {
    /**
     * @param properties  {@code ipcbus.*}.
     * @param mappers     the application's mapper, if any.
     * @param environment for the application name, the default node name.
     * @return the open bus.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Bus ipcbus(final IpcbusProperties properties, final ObjectProvider<ObjectMapper> mappers,
        final Environment environment) {
        final BusConfig.Builder config = BusConfig.builder().uri(properties.getUri());
        final ObjectMapper mapper = mappers.getIfUnique();
        if (mapper != null) {
            config.objectMapper(mapper);
        }
        if (properties.getRuntimeDirectory() != null) {
            config.runtimeDirectory(properties.getRuntimeDirectory());
        }
        final String nodeName = properties.getNodeName() != null ? properties.getNodeName()
            : environment.getProperty("spring.application.name");
        if (nodeName != null) {
            config.nodeName(nodeName);
        }
        return Bus.open(config.build());
    }

    /** The actuator's {@code ipcbus} health indicator ({@code management.health.ipcbus.enabled}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("ipcbus")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "ipcbusHealthIndicator")
        IpcbusHealthIndicator ipcbusHealthIndicator(final Bus bus) {
            return new IpcbusHealthIndicator(bus);
        }
    }

    /** The node's counters as Micrometer meters, bound by Boot's metrics auto-configuration. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, IpcbusMetrics.class})
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        IpcbusMetrics ipcbusMetrics(final Bus bus) {
            return new IpcbusMetrics(bus);
        }
    }
}
