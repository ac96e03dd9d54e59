import type { FaultInjector } from '@saga/runtime';

export type OrderViewOptions = {
  /** The view's consumer group. */
  groupId: string;
  /** The compacted topic, with the deployment's prefix. */
  topic: string;
  /** For the failure lab: a delay before each batch is applied holds the view behind the events. */
  faults: FaultInjector;
  /** How long the group waits for a silent (crashed) member before giving its partitions to another. */
  sessionTimeoutMs: number;
};

export const ORDER_VIEW_OPTIONS = Symbol('ORDER_VIEW_OPTIONS');
