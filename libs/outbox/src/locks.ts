/**
 * Postgres advisory lock namespaces (the first half of the two-int form). Advisory locks are scoped to one
 * database, and every service has its own, so the namespaces only need to be distinct within this library.
 */
export const LockNamespace = {
  /** Held by a transaction that writes outbox rows for a key, until it commits. */
  outboxKey: 0x0b0c_0001,
  /** Held by the relay that is draining a lane, for the length of one batch. */
  relayLane: 0x0b0c_0002,
} as const;

/** Lanes split the outbox so that several relays can work in parallel without two of them sharing a key. */
export const OUTBOX_LANES = 16;

export const OUTBOX_CHANNEL = 'outbox_pending';
