/** Dimensions in millimetres, as the product master holds them. */
export interface Dimensions {
  length: number;
  width: number;
  height: number;
}

/** What a product unit weighs and occupies. */
export interface UnitMeasures {
  unitWeightGrams: number;
  dimensions: Dimensions;
}

/** A location's limits and what its current contents already use. */
export interface LocationCapacity {
  locationId: number;
  maxWeightKg: number;
  maxVolumeCubicCm: number;
  usedWeightGrams: number;
  usedVolumeCubicCm: number;
}

export type RoomCheck = { ok: true } | { ok: false; reason: 'NO_PUTAWAY_CAPACITY'; fits: number; detail: string };

/**
 * Decimal kilograms are not exact in binary (2.01 kg * 1000 is
 * 2009.9999999999998 g): without this slack a unit that fits exactly
 * would be refused.
 */
const ROUNDING_SLACK = 1e-9;

/** mm x mm x mm is mm3; 1 cm3 is 1000 mm3. */
export function unitVolumeCubicCm(product: UnitMeasures): number {
  const { length, width, height } = product.dimensions;
  return (length * width * height) / 1000;
}

/** How many whole units still fit by weight, by volume, and by both. */
export function roomFor(location: LocationCapacity, product: UnitMeasures): { byWeight: number; byVolume: number; units: number } {
  const byWeight = wholeUnits(location.maxWeightKg * 1000 - location.usedWeightGrams, product.unitWeightGrams);
  const byVolume = wholeUnits(location.maxVolumeCubicCm - location.usedVolumeCubicCm, unitVolumeCubicCm(product));
  return { byWeight, byVolume, units: Math.min(byWeight, byVolume) };
}

/**
 * Whole units of the product the location can still take: both the weight
 * and the volume limit must hold. A product recorded with no weight and no
 * size is not limited at all (Infinity) rather than refused everywhere.
 */
export function unitsThatFit(location: LocationCapacity, product: UnitMeasures): number {
  return roomFor(location, product).units;
}

/**
 * For a location the sender chose (GoodsReceived with locationId, or the
 * destination of a transfer): all of it fits there, or it is refused; we do
 * not silently spill elsewhere when someone named the place.
 */
export function checkRoom(location: LocationCapacity, product: UnitMeasures, quantity: number): RoomCheck {
  const room = roomFor(location, product);
  if (quantity <= room.units) return { ok: true };
  const detail =
    `location ${location.locationId} has room for ${room.units} more unit(s) ` +
    `(weight allows ${room.byWeight}, volume allows ${room.byVolume}), ${quantity} requested`;
  return { ok: false, reason: 'NO_PUTAWAY_CAPACITY', fits: room.units, detail };
}

function wholeUnits(free: number, perUnit: number): number {
  if (perUnit <= 0) return Number.POSITIVE_INFINITY;
  if (free <= 0) return 0;
  return Math.floor(free / perUnit + ROUNDING_SLACK);
}
