/**
 * The shipping service's part of the saga, as pure functions. Like inventory, it hears about an order on two
 * topics (the go-ahead with StockReserved, the cancellation with OrderCancelled) and decides from what it knows:
 * schedule a shipment when the destination country is supported, fail it otherwise, and call it off when the
 * order is cancelled. A cancellation that arrives first prevents the shipment. The destination comes from the
 * service's order view (see `needsDestination`).
 */
import {
  causedBy,
  createEvent,
  type OrderCancelled,
  type ShipmentCancelled,
  type ShipmentFailed,
  type ShipmentScheduled,
  type ShippingEvent,
  type StockReserved,
} from '@saga/events';

export type ShipmentStatus = 'PENDING' | 'SCHEDULED' | 'FAILED' | 'CANCELLED';

export type Shipment = {
  readonly orderId: string;
  /** The destination country, from the order view; null until a decision needs it. */
  readonly country: string | null;
  readonly stockReserved: boolean;
  readonly cancelled: boolean;
  readonly status: ShipmentStatus;
  readonly shipmentId: string | null;
  readonly updatedAt: Date;
};

export type ShippingFact = StockReserved | OrderCancelled;

export type ShippingDecision = { shipment: Shipment; events: ShippingEvent[] };

export const noShipment = (orderId: string, now: Date): Shipment => ({
  orderId,
  country: null,
  stockReserved: false,
  cancelled: false,
  status: 'PENDING',
  shipmentId: null,
  updatedAt: now,
});

/** True when the next decision is to schedule and the destination is not known yet: read it from the view. */
export const needsDestination = (shipment: Shipment): boolean =>
  shipment.country === null && shipment.stockReserved && !shipment.cancelled && shipment.status === 'PENDING';

export const withDestination = (shipment: Shipment, country: string): Shipment => ({ ...shipment, country });

export function learn(shipment: Shipment, event: ShippingFact, now: Date): Shipment {
  switch (event.type) {
    case 'StockReserved':
      return { ...shipment, stockReserved: true, updatedAt: now };
    case 'OrderCancelled':
      return { ...shipment, cancelled: true, updatedAt: now };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled fact ${(unhandled as ShippingFact).type}`);
    }
  }
}

export function decide(
  shipment: Shipment,
  supportedCountries: ReadonlySet<string>,
  trigger: ShippingFact,
  newShipmentId: () => string,
  now: Date,
): ShippingDecision {
  const publish = <E extends ShippingEvent>(type: E['type'], data: E['data']) =>
    createEvent<E>(type, shipment.orderId, data, causedBy(trigger), now);

  if (shipment.cancelled) {
    if (shipment.status !== 'SCHEDULED') return { shipment, events: [] };
    return {
      shipment: { ...shipment, status: 'CANCELLED' },
      events: [publish<ShipmentCancelled>('ShipmentCancelled', { shipmentId: shipment.shipmentId! })],
    };
  }
  if (shipment.status !== 'PENDING' || !shipment.stockReserved || shipment.country === null) {
    return { shipment, events: [] };
  }
  const country = shipment.country;
  if (!supportedCountries.has(country)) {
    return {
      shipment: { ...shipment, status: 'FAILED' },
      events: [publish<ShipmentFailed>('ShipmentFailed', { country, reason: `we do not ship to ${country}` })],
    };
  }
  const shipmentId = newShipmentId();
  return {
    shipment: { ...shipment, status: 'SCHEDULED', shipmentId },
    events: [publish<ShipmentScheduled>('ShipmentScheduled', { shipmentId, country })],
  };
}
