import { describe, expect, it } from '@jest/globals';
import { causedByRequest, createEvent, type OrderCancelled, type StockReserved } from '@saga/events';
import { anOrder, given } from '@saga/testing';
import { shipping, type ShippingContext } from './shipping.js';

const now = new Date('2026-03-01T10:00:02Z');
const order = anOrder({ country: 'US' });
const reserved = createEvent<StockReserved>(
  'StockReserved',
  order.orderId,
  { lines: [{ sku: 'BOOK-1', quantity: 1 }] },
  causedByRequest(),
  now,
);
const cancelled = createEvent<OrderCancelled>(
  'OrderCancelled',
  order.orderId,
  { customerId: order.customerId, reason: 'CUSTOMER_CANCELLED' },
  causedByRequest(),
  now,
);
/** The context of a decision: the order's destination from the view, and where shipping goes. */
const shipsTo = (...supported: string[]): ShippingContext => ({
  now,
  country: 'US',
  supportedCountries: new Set(supported),
  newShipmentId: () => 'a4b1c3d2-0000-4000-8000-000000000001',
});

describe('scheduling a shipment', () => {
  it('schedules it once stock is reserved for a supported country, and announces ShipmentScheduled', () => {
    const { outputs, state } = given(shipping).when(reserved, shipsTo('US')).then('ShipmentScheduled');

    expect(outputs[0]).toMatchObject({ data: { country: 'US', shipmentId: expect.any(String) } });
    expect(state).toMatchObject({ status: 'SCHEDULED', country: 'US' });
  });

  it('fails it for a country it does not serve, and announces ShipmentFailed with the reason', () => {
    const { outputs, state } = given(shipping).when(reserved, shipsTo('GB')).then('ShipmentFailed');

    expect(outputs[0]).toMatchObject({ data: { country: 'US', reason: 'we do not ship to US' } });
    expect(state.status).toBe('FAILED');
  });

  it('schedules nothing without the destination (the order view had none to give)', () => {
    given(shipping)
      .when(reserved, { ...shipsTo('US'), country: null })
      .then();
  });

  it('schedules once, however often stock is reported reserved', () => {
    given(shipping, reserved, ...given(shipping).when(reserved, shipsTo('US')).outputs)
      .when(reserved, shipsTo('US'))
      .then();
  });
});

describe('when the order is cancelled', () => {
  it('calls off a scheduled shipment, announcing ShipmentCancelled, and only once', () => {
    const scheduled = given(shipping).when(reserved, shipsTo('US')).outputs;
    const { outputs, state } = given(shipping, reserved, ...scheduled)
      .when(cancelled, shipsTo('US'))
      .then('ShipmentCancelled');

    expect(outputs[0]).toMatchObject({ data: { shipmentId: 'a4b1c3d2-0000-4000-8000-000000000001' } });
    given(shipping, reserved, ...scheduled, cancelled, ...outputs)
      .when(cancelled, shipsTo('US'))
      .then();
    expect(state.status).toBe('CANCELLED');
  });

  it('never schedules one when the cancellation arrives before the stock reservation', () => {
    const { state } = given(shipping, cancelled).when(reserved, shipsTo('US')).then();
    expect(state.status).toBe('PENDING');
  });
});
