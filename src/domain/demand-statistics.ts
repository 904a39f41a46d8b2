import { inverseNormalCdf } from './inverse-normal';

export interface DemandStatistics {
  days: number;
  mean: number;
  standardDeviation: number;
}

/**
 * Mean and standard deviation of daily shipped units over a window (days
 * without shipments must be passed as zeros, or demand looks steadier and
 * higher than it is).
 *
 * Sample standard deviation (divide by N - 1), not population: the window is
 * a sample of the demand we are trying to predict, and the population figure
 * understates its spread on short windows, which means too little safety
 * stock. With fewer than two days there is no spread to measure: 0.
 */
export function demandStatistics(dailyShippedQuantities: readonly number[]): DemandStatistics {
  const days = dailyShippedQuantities.length;
  if (days === 0) return { days, mean: 0, standardDeviation: 0 };
  const mean = dailyShippedQuantities.reduce((sum, q) => sum + q, 0) / days;
  if (days < 2) return { days, mean, standardDeviation: 0 };
  const squares = dailyShippedQuantities.reduce((sum, q) => sum + (q - mean) ** 2, 0);
  return { days, mean, standardDeviation: Math.sqrt(squares / (days - 1)) };
}

/**
 * Reorder point = expected demand over the lead time plus safety stock:
 * mean * L + z * sigma * sqrt(L), z the standard normal quantile of the
 * service level (0.95 = stock out in 5% of replenishment cycles). Daily
 * demand is treated as independent, hence sigma grows with sqrt(L).
 * Rounded up because a fraction of a unit short is still short; the slack
 * keeps float noise from turning an exact 110 into 111. Never negative, which
 * a service level under 50% would otherwise allow.
 */
export function recommendedReorderPoint(mean: number, sigma: number, leadTimeDays: number, serviceLevel: number): number {
  const z = inverseNormalCdf(serviceLevel);
  const point = mean * leadTimeDays + z * sigma * Math.sqrt(leadTimeDays);
  return Math.max(0, Math.ceil(point - 1e-9));
}
