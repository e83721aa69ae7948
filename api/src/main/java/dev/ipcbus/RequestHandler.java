// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * Answers requests of one type.
 * <p>
 * The returned value is serialized as the reply. Returning a {@link java.util.concurrent.CompletionStage} replies when
 * it completes. An exception thrown here (or a failed stage) is sent back to the requester, whose future fails with
 * {@link ResponderFailedException} carrying its type and message.
 *
 * @param <Q> the request type Jackson deserializes into.
 */
@FunctionalInterface
public interface RequestHandler<Q> {
    /**
     * @param request the deserialized request.
     * @param context its metadata; see {@link MessageContext} for how long it is valid.
     * @return the reply (any Jackson-serializable value, possibly {@code null}) or a
     * {@link java.util.concurrent.CompletionStage} of it.
     * @throws Exception sent back to the requester as a {@link ResponderFailedException}.
     */
    Object onRequest(Q request, MessageContext context) throws Exception;
}
