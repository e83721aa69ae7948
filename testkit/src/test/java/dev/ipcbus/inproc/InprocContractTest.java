// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.inproc;

import dev.ipcbus.testkit.TransportContract;

/**
 * The conformance suite on {@code inproc://} (the cross-process cases are skipped: the transport is process-local).
 */
class InprocContractTest extends TransportContract {
    @Override
    protected String uri(final String busName) {
        return "inproc://" + busName + "?queue=256";
    }

    @Override
    protected boolean crossProcess() {
        return false;
    }
}
