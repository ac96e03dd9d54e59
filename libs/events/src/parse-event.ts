/**
 * The consumer edge: bytes from Kafka become a typed event here or are rejected with a reason.
 * Nothing deeper in a service ever sees an unvalidated or old-version event.
 */
import { z } from 'zod';
import { eventCatalogue, isSagaEventType, type SagaEvent } from './catalogue.js';

export type ParseResult = { ok: true; event: SagaEvent } | { ok: false; reason: string };

/** The envelope every event travels in (its `data` is checked against the catalogue, by type and version). */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  orderId: z.uuid(),
  correlationId: z.uuid(),
  causationId: z.uuid().nullable(),
  // Absent from events written before it existed. Those that a handler checks against its view (OrderPlaced,
  // PaymentAuthorized, StockReserved) were all decided with the order's first version.
  orderVersion: z.number().int().positive().default(1),
  data: z.unknown(),
});

/** Zod issues as one line, each named by its path under `prefix` (e.g. `data.items.0.quantity: ...`). */
export const describeIssues = (prefix: string, error: z.ZodError): string =>
  error.issues.map((issue) => `${[prefix, ...issue.path].join('.')}: ${issue.message}`).join('; ');

/** Bytes to JSON, or the reason they are not JSON. */
export function parseJson(value: Buffer | string): { ok: true; json: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, json: JSON.parse(value.toString()) };
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
}

/**
 * @param value the raw message value
 * @param key the raw message key; when given it must equal the envelope's orderId (the partitioning contract)
 */
export function parseEvent(value: Buffer | string | null, key?: Buffer | string | null): ParseResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'message has no value' };

  const json = parseJson(value);
  if (!json.ok) return json;

  const envelope = envelopeSchema.safeParse(json.json);
  if (!envelope.success)
    return { ok: false, reason: `invalid envelope: ${describeIssues('envelope', envelope.error)}` };
  const { type, version } = envelope.data;

  if (!isSagaEventType(type)) return { ok: false, reason: `unknown event type "${type}"` };
  if (key != null && key.toString() !== envelope.data.orderId) {
    return { ok: false, reason: `message key "${key.toString()}" differs from orderId "${envelope.data.orderId}"` };
  }

  const definition = eventCatalogue[type];
  if (version > definition.version) {
    return {
      ok: false,
      reason: `${type} version ${version} is newer than this consumer reads (${definition.version})`,
    };
  }
  let data = envelope.data.data;
  for (let from = version; from < definition.version; from++) {
    const upcast = definition.upcasters?.[from];
    if (!upcast) return { ok: false, reason: `${type} version ${from} has no upcaster to version ${from + 1}` };
    data = upcast(data);
  }

  const parsedData = definition.data.safeParse(data);
  if (!parsedData.success) return { ok: false, reason: `invalid ${type}: ${describeIssues('data', parsedData.error)}` };

  return {
    ok: true,
    event: { ...envelope.data, type, version: definition.version, data: parsedData.data } as SagaEvent,
  };
}
