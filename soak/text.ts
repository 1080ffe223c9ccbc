/**
 * Text helpers shared by the soak summaries (`main.ts`, `worker_summary.ts`).
 *
 * @module
 */

/** Thousands separators, as every count in a summary is printed. */
export const fmt: Intl.NumberFormat = new Intl.NumberFormat("en-US");

/**
 * Appends a titled table of counts to `rows`, one aligned line per key.
 *
 * @param rows The summary's lines so far.
 * @param title The table's heading.
 * @param table The counts, by label.
 */
export function countTable(
  rows: string[],
  title: string,
  table: Readonly<Record<string, number>>,
): void {
  rows.push("", title);
  for (const [key, value] of Object.entries(table)) {
    rows.push(`  ${key.padEnd(34)}${fmt.format(value).padStart(12)}`);
  }
}
