/**
 * Plain shapes shared by the domain modules. Each module narrows these to
 * what its decision actually reads (often with Pick), so a caller only has to
 * load the columns that matter and tests only have to spell out those.
 */

/** Where a location sits in the flow of goods; drives pick and put-away order. */
export type LocationType = 'PICK_FACE' | 'BULK' | 'OVERFLOW';

/** A product as the domain sees it: the ids events carry, and whether it may be sold. */
export interface ProductRef {
  productId: number;
  sku: string;
  isActive: boolean;
}

/** One product's inventory row at one location of one warehouse. */
export interface StockSlot {
  locationId: number;
  locationType: LocationType;
  aisle: string;
  bay: string;
  level: string;
  bin: string;
  onHand: number;
  reserved: number;
}

/**
 * A line as another service sends it: a product is named by productId or by
 * sku (the inbound schema requires one of the two), with a positive quantity.
 */
export interface RequestedLine {
  productId?: number;
  sku?: string;
  quantity: number;
}

/** A quantity taken from, or put into, one location. */
export interface LocationQuantity {
  locationId: number;
  quantity: number;
}
