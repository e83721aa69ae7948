// SPDX-License-Identifier: Apache-2.0
/**
 * The pipe transport's POSIX layer (posix layer): Unix domain stream sockets through the JDK's
 * {@link java.net.UnixDomainSocketAddress} channels, carrying length-prefixed records
 * ({@link dev.ipcbus.transport.pipe.core.PipeRecordDescriptor}). Each inbox has an accept thread and one blocking
 * reader thread per writer connection (deliveries serialized by one lock); outlets write through non-blocking channels
 * and wait for space with a selector of their own. This layer needs no native code of ours. Path limits ship Linux
 * values ({@code sun_path} 108 bytes) and the BSD/macOS value (104 bytes) elsewhere; only Linux is tested.
 */
package dev.ipcbus.transport.pipe.posix;
