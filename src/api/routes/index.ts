import type { RegisterRoutes } from '../types';
import { availabilityRoutes } from './availability';
import { consoleReadRoutes } from './console-reads';

/** Every resource of the query API, one file each. */
export const apiRoutes: readonly RegisterRoutes[] = [availabilityRoutes, consoleReadRoutes];
