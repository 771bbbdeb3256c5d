/**
 * Acknowledging a send through its event (ADR 0052). A `msg.send` request over
 * NATS that carries the {@link ACK_HEADER} header with the value
 * {@link ACK_BY_EVENT} asks the gateway to answer only when the send fails:
 * on success the sender learns the message's seq and time from its own
 * `message` event, which the gateway publishes to every member anyway. The
 * gateway still replies when that event does not go to a subject the sender
 * follows. Requests without the header (older SDKs, raw NATS callers) and
 * HTTP RPC calls are answered as always.
 */

/** The NATS header of a `msg.send` request that takes its own message event as the acknowledgement. */
export const ACK_HEADER = "Parley-Ack";

/** The {@link ACK_HEADER} value asking for a reply on errors only. */
export const ACK_BY_EVENT = "event";
