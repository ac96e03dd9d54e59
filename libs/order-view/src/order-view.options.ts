export type OrderViewOptions = {
  /** The view's consumer group. Its committed offsets say how far the view has read `orders`. */
  groupId: string;
  /** The compacted topic, with the deployment's prefix. */
  topic: string;
  /** How long a handler waits for an order that is not in the view yet before its event is retried. */
  awaitOrderMs: number;
  /** How long the group waits for a silent (crashed) member before giving its partitions to another. */
  sessionTimeoutMs: number;
};

export const ORDER_VIEW_OPTIONS = Symbol('ORDER_VIEW_OPTIONS');
