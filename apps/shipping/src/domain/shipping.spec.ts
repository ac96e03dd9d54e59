import { describe, expect, it } from '@jest/globals';
import { causedByRequest, createEvent, type OrderCancelled, type StockReserved } from '@saga/events';
import { anOrderPlaced } from '@saga/testing';
import { decide, learn, noShipment, type Shipment, type ShippingFact } from './shipping.js';

const now = new Date('2026-03-01T10:00:02Z');
const placed = anOrderPlaced(); // ships to US
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
    const decision = decide(
      learn(shipment, fact, now),
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
    const { shipment, published } = given(['US'], placed, reserved);

    expect(shipment).toMatchObject({ status: 'SCHEDULED', shipmentId: expect.any(String) });
    expect(published).toEqual(['ShipmentScheduled']);
  });

  it('fails it for a country it does not serve, and announces ShipmentFailed', () => {
    expect(given(['GB'], placed, reserved)).toMatchObject({
      shipment: { status: 'FAILED' },
      published: ['ShipmentFailed'],
    });
  });

  it('schedules the same way when the stock reservation arrives before the order (different topics)', () => {
    expect(given(['US'], reserved, placed).shipment.status).toBe('SCHEDULED');
  });
});

describe('when the order is cancelled', () => {
  it('calls off a scheduled shipment once, announcing ShipmentCancelled', () => {
    const { shipment, published } = given(['US'], placed, reserved, cancelled, cancelled);

    expect(shipment.status).toBe('CANCELLED');
    expect(published).toEqual(['ShipmentScheduled', 'ShipmentCancelled']);
  });

  it('never schedules one when the cancellation arrives before the stock reservation', () => {
    expect(given(['US'], placed, cancelled, reserved)).toMatchObject({
      shipment: { status: 'PENDING' },
      published: [],
    });
  });
});
