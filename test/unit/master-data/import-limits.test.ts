import { parseImportFile } from '../../../src/master-data/import';
import { smallCatalog } from '../../fixtures/catalog';
import { failureLine } from '../../../src/cli/command';
import { ImportError } from '../../../src/errors';

/** Numbers the import file accepts must fit the columns they go to: numeric(12,3) holds 999,999,999.999 at most, with 3 decimals. */
describe('import file numbers against the database columns', () => {
  const withLocation = (maxWeightKg: number) => {
    const file = smallCatalog([]);
    file.warehouses![0]!.locations![0]!.maxWeightKg = maxWeightKg;
    return file;
  };
  const withCapacity = (capacityCubicMeters: number) => {
    const file = smallCatalog([]);
    file.warehouses![0]!.capacityCubicMeters = capacityCubicMeters;
    return file;
  };
  const refusal = (file: unknown) => {
    try {
      parseImportFile(file);
    } catch (error) {
      if (error instanceof ImportError) return error.message;
      throw error;
    }
    throw new Error('expected the file to be refused');
  };

  it.each([1_000_000_000, 999_999_999.9995, 5e12])('refuses maxWeightKg %s (above numeric(12,3)), naming the field', (value) => {
    expect(refusal(withLocation(value))).toMatch(/^import refused: warehouses\.0\.locations\.0\.maxWeightKg: must be at most 999999999\.999/);
  });

  it('refuses a maxWeightKg with more than 3 decimals (the column would round it silently)', () => {
    expect(refusal(withLocation(12.3456))).toContain('warehouses.0.locations.0.maxWeightKg: at most 3 decimal places');
    expect(refusal(withLocation(1e-7))).toContain('at most 3 decimal places');
  });

  it('accepts the largest and the finest values the column holds', () => {
    expect(parseImportFile(withLocation(999_999_999.999)).warehouses[0]!.locations[0]!.maxWeightKg).toBe(999_999_999.999);
    expect(parseImportFile(withLocation(0.001)).warehouses[0]!.locations[0]!.maxWeightKg).toBe(0.001);
  });

  it('applies the same limits to capacityCubicMeters (also numeric(12,3))', () => {
    expect(refusal(withCapacity(1_000_000_000))).toContain('warehouses.0.capacityCubicMeters: must be at most 999999999.999');
    expect(refusal(withCapacity(1.2345))).toContain('warehouses.0.capacityCubicMeters: at most 3 decimal places');
    expect(parseImportFile(withCapacity(999_999_999.999)).warehouses[0]!.capacityCubicMeters).toBe(999_999_999.999);
  });
});

describe('failureLine: what a command prints when it fails', () => {
  it('is the first line of the message', () => {
    expect(failureLine(new Error('import refused: x: bad\nmore detail'))).toBe('import refused: x: bad');
  });

  it('is the cause, not the call site, for a message in the Prisma client form (which starts with a newline)', () => {
    const prismaLike = Object.assign(
      new Error(
        '\nInvalid `tx.location.upsert()` invocation in\n/x/import.js:59:31\n\n  56 for (...)\n→ 59     await tx.location.upsert(\nValue out of range for the type: numeric field overflow',
      ),
      { clientVersion: '7.10.0', code: 'P2020' },
    );
    expect(failureLine(prismaLike)).toBe('Value out of range for the type: numeric field overflow (P2020)');
  });

  it.each([
    ['an empty message', new Error('')],
    ['a message of blank lines', new Error('\n  \n')],
    ['a thrown string', ''],
    ['undefined', undefined],
    ['an object without a message', { code: 'XX000' }],
  ])('is never empty: %s', (_what, thrown) => {
    const line = failureLine(thrown);
    expect(line.trim()).not.toBe('');
    expect(line).not.toContain('\n');
  });
});
