export { retry, backoffDelay, LazyConnection, type RetryOptions, type RetryPolicy } from './retry.js';
export { TransientError } from './transient-error.js';
export { PgListener, type PgListenerOptions } from './pg-listener.js';
export {
  delayPoints,
  faultPoints,
  noFaults,
  SimulatedCrash,
  type DelayPoint,
  type FaultInjector,
  type FaultPoint,
} from './fault-hook.js';
export {
  consumerLag,
  deadLetters,
  eventRetries,
  handlerSeconds,
  hops,
  metricsRegistry,
  notYetWaits,
  orderViewMetrics,
  outboxMetrics,
  recordHop,
  relayPublished,
  sagaSeconds,
  timeHop,
  type Hop,
} from './metrics.js';
