import type { RegisterRoutes } from '../types';
import { availabilityRoutes } from './availability';

/** Every resource of the query API, one file each. */
export const apiRoutes: readonly RegisterRoutes[] = [availabilityRoutes];
