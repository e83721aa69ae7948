// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spring.boot;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A test application with nothing but Boot's auto-configuration and application.properties. */
@SpringBootApplication
public class ShopApplication {
}
