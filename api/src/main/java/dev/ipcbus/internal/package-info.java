// SPDX-License-Identifier: Apache-2.0
/**
 * The bus core (internal, not public API): node lifecycle, routing, request/reply, dispatch to handlers.
 */
package dev.ipcbus.internal;
