import { describe, expect, it } from '@jest/globals';
import { causedByRequest, createEvent, type OrderCancelled, type StockReserved } from '@saga/events';
import { anOrder } from '@saga/testing';
import {
  decide,
  learn,
  needsDestination,
  noShipment,
  withDestination,
  type Shipment,
  type ShippingFact,
} from './shipping.js';

const now = new Date('2026-03-01T10:00:02Z');
const placed = anOrder({ country: 'US' }).placed(); // what the order view holds
const { orderId } = placed;
const reserved = createEvent<StockReserved>(
  'StockReserved',
  orderId,
  { lines: [{ sku: 'BOOK-1', quantity: 1 }] },
  causedByRequest(),
  now,
);
const cancelled = createEvent<OrderCancelled>(
  'OrderCancelled',
  orderId,
  { customerId: placed.data.customerId, reason: 'CUSTOMER_CANCELLED' },
  causedByRequest(),
  now,
);

const given = (supported: string[], ...facts: ShippingFact[]) => {
  let shipment: Shipment = noShipment(orderId, now);
  const published: string[] = [];
  for (const fact of facts) {
    const learned = learn(shipment, fact, now);
    const decision = decide(
      needsDestination(learned) ? withDestination(learned, placed.data.shippingAddress.country) : learned,
      new Set(supported),
      fact,
      () => 'a4b1c3d2-0000-4000-8000-000000000001',
      now,
    );
    shipment = decision.shipment;
    published.push(...decision.events.map((event) => event.type));
  }
  return { shipment, published };
};

describe('scheduling a shipment', () => {
  it('schedules it once stock is reserved for a supported country, and announces ShipmentScheduled', () => {
    const { shipment, published } = given(['US'], reserved);

    expect(shipment).toMatchObject({ status: 'SCHEDULED', shipmentId: expect.any(String) });
    expect(published).toEqual(['ShipmentScheduled']);
  });

  it('fails it for a country it does not serve, and announces ShipmentFailed', () => {
    expect(given(['GB'], reserved)).toMatchObject({
      shipment: { status: 'FAILED' },
      published: ['ShipmentFailed'],
    });
  });

  it('reads the destination from the view only to schedule', () => {
    const shipment = learn(noShipment(orderId, now), reserved, now);

    expect(needsDestination(shipment)).toBe(true);
    expect(needsDestination(withDestination(shipment, 'US'))).toBe(false);
    expect(needsDestination(learn(shipment, cancelled, now))).toBe(false); // nothing will be scheduled
  });
});

describe('when the order is cancelled', () => {
  it('calls off a scheduled shipment once, announcing ShipmentCancelled', () => {
    const { shipment, published } = given(['US'], reserved, cancelled, cancelled);

    expect(shipment.status).toBe('CANCELLED');
    expect(published).toEqual(['ShipmentScheduled', 'ShipmentCancelled']);
  });

  it('never schedules one when the cancellation arrives before the stock reservation', () => {
    expect(given(['US'], cancelled, reserved)).toMatchObject({
      shipment: { status: 'PENDING' },
      published: [],
    });
  });
});
