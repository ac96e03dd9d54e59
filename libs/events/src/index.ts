export * from './envelope.js';
export * from './topics.js';
export * from './order-events.js';
export * from './payment-events.js';
export * from './inventory-events.js';
export * from './shipping-events.js';
export * from './catalogue.js';
export * from './parse-event.js';
