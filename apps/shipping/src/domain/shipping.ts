/**
 * The shipping service's part of the saga, as a decider. It hears about an order on two topics (the go-ahead with
 * StockReserved, the cancellation with OrderCancelled), keeps what it learns per order, and decides from that:
 * schedule a shipment when the destination is served, fail it otherwise, and call it off when the order is
 * cancelled. A cancellation that arrives first prevents the shipment. The destination comes from the service's
 * view of the orders, through the context.
 */
import {
  causedBy,
  createEvent,
  type Decider,
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
  /** The destination country, once a decision needed it. */
  readonly country: string | null;
  readonly stockReserved: boolean;
  readonly cancelled: boolean;
  readonly status: ShipmentStatus;
  readonly shipmentId: string | null;
  readonly updatedAt: Date;
};

export type ShippingInput = StockReserved | OrderCancelled;

/** What a decision needs from outside the order. */
export type ShippingContext = {
  readonly now: Date;
  /** Where the order goes, from the order view; null when the decision does not need it. */
  readonly country: string | null;
  readonly supportedCountries: ReadonlySet<string>;
  readonly newShipmentId: () => string;
};

export const shipping: Decider<Shipment, ShippingInput, ShippingEvent, ShippingContext> = {
  initialState: (orderId) => ({
    orderId,
    country: null,
    stockReserved: false,
    cancelled: false,
    status: 'PENDING',
    shipmentId: null,
    updatedAt: new Date(0),
  }),

  decide(shipment, input, { now, country, supportedCountries, newShipmentId }) {
    const publish = <E extends ShippingEvent>(type: E['type'], data: E['data']) =>
      createEvent<E>(type, shipment.orderId, data, causedBy(input), now);
    switch (input.type) {
      case 'StockReserved': {
        const destination = shipment.country ?? country;
        if (shipment.cancelled || shipment.status !== 'PENDING' || destination === null) return [];
        if (!supportedCountries.has(destination)) {
          const reason = `we do not ship to ${destination}`;
          return [publish<ShipmentFailed>('ShipmentFailed', { country: destination, reason })];
        }
        return [publish<ShipmentScheduled>('ShipmentScheduled', { shipmentId: newShipmentId(), country: destination })];
      }
      case 'OrderCancelled':
        if (shipment.status !== 'SCHEDULED') return [];
        return [publish<ShipmentCancelled>('ShipmentCancelled', { shipmentId: shipment.shipmentId! })];
    }
  },

  evolve(shipment, event) {
    const at = { updatedAt: new Date(event.occurredAt) };
    switch (event.type) {
      case 'StockReserved':
        return { ...shipment, ...at, stockReserved: true };
      case 'OrderCancelled':
        return { ...shipment, ...at, cancelled: true };
      case 'ShipmentScheduled':
        return { ...shipment, ...at, status: 'SCHEDULED', ...event.data };
      case 'ShipmentFailed':
        return { ...shipment, ...at, status: 'FAILED', country: event.data.country };
      case 'ShipmentCancelled':
        return { ...shipment, ...at, status: 'CANCELLED' };
    }
  },
};
