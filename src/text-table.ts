/**
 * A plain aligned text table for a terminal (reconcile, replay, replenish):
 * columns padded to their widest cell, two spaces apart, no trailing blanks.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
