import { demandStatistics, inverseNormalCdf, recommendedReorderPoint } from '../../../src/domain/replenishment';

describe('inverseNormalCdf (Acklam)', () => {
  // Reference values from Python's statistics.NormalDist().inv_cdf.
  it.each([
    [0.5, 0],
    [0.9, 1.2815515655446008],
    [0.95, 1.6448536269514715],
    [0.975, 1.9599639845400536],
    [0.99, 2.3263478740408408], // upper tail formula
    [0.999, 3.090232306167813],
    [0.01, -2.3263478740408408], // lower tail formula
    [0.02425, -1.9729610513118845], // boundary between the regions
    [1e-6, -4.753424308822899],
  ])('z(%p) = %p', (p, z) => {
    expect(inverseNormalCdf(p)).toBeCloseTo(z, 7);
  });

  it('is symmetric around 0.5', () => {
    expect(inverseNormalCdf(0.3)).toBeCloseTo(-inverseNormalCdf(0.7), 12);
  });

  it.each([0, 1, -0.1, 1.5, NaN])('refuses a probability of %p', (p) => {
    expect(() => inverseNormalCdf(p)).toThrow(RangeError);
  });
});

describe('demandStatistics', () => {
  it('gives the mean and the sample (N - 1) standard deviation', () => {
    // Population sd of this classic set is exactly 2; the sample sd is sqrt(32 / 7).
    const stats = demandStatistics([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.days).toBe(8);
    expect(stats.mean).toBe(5);
    expect(stats.standardDeviation).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('counts days without shipments (zeros) in the window', () => {
    const stats = demandStatistics([0, 0, 6, 0]);
    expect(stats.mean).toBe(1.5);
    expect(stats.standardDeviation).toBeCloseTo(3, 12); // squares 2.25*3 + 20.25 = 27; 27 / 3 = 9
  });

  it('has no spread for steady demand, a single day or no days', () => {
    expect(demandStatistics([3, 3, 3]).standardDeviation).toBe(0);
    expect(demandStatistics([4])).toEqual({ days: 1, mean: 4, standardDeviation: 0 });
    expect(demandStatistics([])).toEqual({ days: 0, mean: 0, standardDeviation: 0 });
  });
});

describe('recommendedReorderPoint', () => {
  it('is mean * L + z * sigma * sqrt(L), rounded up', () => {
    // 10/day over 9 days = 90; safety stock 1.6449 * 4 * 3 = 19.74; 109.74 -> 110.
    expect(recommendedReorderPoint(10, 4, 9, 0.95)).toBe(110);
    // 99%: 90 + 2.3263 * 12 = 117.92 -> 118.
    expect(recommendedReorderPoint(10, 4, 9, 0.99)).toBe(118);
  });

  it('does not round an exact whole number up because of float noise', () => {
    // 1.1 * 100 is 110.00000000000001 in floats; z(0.5) = 0.
    expect(recommendedReorderPoint(1.1, 5, 100, 0.5)).toBe(110);
  });

  it('is never negative', () => {
    expect(recommendedReorderPoint(0, 10, 4, 0.1)).toBe(0);
  });
});
