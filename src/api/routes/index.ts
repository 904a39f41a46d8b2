import type { RegisterRoutes } from '../types';
import { availabilityRoutes } from './availability';
import { promiseRoutes } from './promise';
import { productRoutes } from './products';
import { orderRoutes } from './orders';
import { ledgerRoutes } from './ledger';
import { purchaseOrderRoutes } from './purchase-orders';
import { deadLetterRoutes } from './dead-letters';
import { consoleReadRoutes } from './console-reads';

/** Every resource of the query API, one file each. */
export const apiRoutes: readonly RegisterRoutes[] = [
  availabilityRoutes,
  promiseRoutes,
  productRoutes,
  orderRoutes,
  ledgerRoutes,
  purchaseOrderRoutes,
  deadLetterRoutes,
  consoleReadRoutes,
];
