import { OrderView1730000000011 } from './1730000000011-order-view.js';
import { OrderViewRebuild1730000001011 } from './1730000001011-order-view-rebuild.js';

/** The order view's tables. A service that keeps the view lists them among its migrations. */
export const orderViewMigrations = [OrderView1730000000011, OrderViewRebuild1730000001011];
