/**
 * The pipe transport's Windows layer (windows layer): message-mode named pipes.
 */
package dev.ipcbus.transport.pipe.windows;
