/**
 * Small statistics for the bench: medians of repeated runs, and number formatting.
 *
 * @module
 */

/** The median of `values` (the mean of the two middle values for an even count). */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** The smallest and largest of `values`. */
export const range = (values: ReadonlyArray<number>): { readonly min: number; readonly max: number } => ({
  min: Math.min(...values),
  max: Math.max(...values),
})

/** `1234.5` → `"1,235 ms"`. */
export const ms = (value: number): string => `${Math.round(value).toLocaleString("en-US")} ms`

/** `1.2345` → `"1.23×"`. */
export const times = (value: number, digits = 2): string => `${value.toFixed(digits)}×`

/** `1234567` → `"1.2 MB"`. */
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** `12345.6` → `"12,346"`. */
export const int = (value: number): string => Math.round(value).toLocaleString("en-US")
