// SPDX-License-Identifier: Apache-2.0
/**
 * The ipcbus demo program (uses only the public API): {@code java -jar ipcbus-demo.jar <command>}, or
 * {@code ./ipcbus-demo <command>} from the repository root. Run {@code ipcbus-demo --help} for the commands.
 */
package dev.ipcbus.demo;
