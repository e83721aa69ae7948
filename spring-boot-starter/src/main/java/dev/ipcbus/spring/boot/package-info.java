// SPDX-License-Identifier: Apache-2.0
/**
 * Spring Boot auto-configuration of a {@link dev.ipcbus.Bus}: {@link dev.ipcbus.spring.boot.IpcbusAutoConfiguration}
 * from {@link dev.ipcbus.spring.boot.IpcbusProperties} ({@code ipcbus.*}), with
 * {@link dev.ipcbus.spring.boot.IpcbusHealthIndicator} when the actuator is present.
 */
package dev.ipcbus.spring.boot;
