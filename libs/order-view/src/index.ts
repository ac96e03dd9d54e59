export { OrderViewModule } from './order-view.module.js';
export { OrderViews, OrderNotInViewYet, type OrderDependent } from './order-views.js';
export {
  OrderViewProjector,
  RebuildRefused,
  type ProjectorStatus,
  type RebuildProgress,
} from './order-view.projector.js';
export { OrderViewStore, type ViewChange, type ViewEntry, type ViewPosition } from './order-view.store.js';
export type { OrderViewOptions } from './order-view.options.js';
export { orderViewMigrations } from './migrations/index.js';
