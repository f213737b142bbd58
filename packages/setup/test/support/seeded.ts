/**
 * Comparing the emulator with its seeded state: what teardown must return it to.
 */

/**
 * Record bookkeeping that any write changes (teardown restores values, not edit history), and
 * Entra's recycle bin of deleted applications, checked separately.
 */
const BOOKKEEPING = new Set(["sys_mod_count", "sys_updated_by", "sys_updated_on", "deletedApplications"])

/** A snapshot without bookkeeping fields and without tables that exist only because they were once written. */
export const normalise = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normalise)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => !BOOKKEEPING.has(key) && !(Array.isArray(v) && v.length === 0))
      .map(([key, v]) => [key, normalise(v)]),
  )
}

/** The ids in Entra's recycle bin of deleted applications, across tenants, of a snapshot. */
export const deletedApplicationsOf = (snapshot: unknown): ReadonlyArray<string> => {
  const graph = (snapshot as { graph?: { tenants?: Record<string, unknown> } }).graph
  return Object.values(graph?.tenants ?? {}).flatMap(
    (tenant) => (tenant as { deletedApplications?: Array<string> }).deletedApplications ?? [],
  )
}
