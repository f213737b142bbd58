/**
 * Where the genuine vendor reference data lives: `../shared/reference/` beside the repository (the
 * vendors' own exports, read in place and never copied into the repository), or the directory in
 * `SN365_REFERENCE_DIR`. A checkout without it skips the conformance suites, and says so in their
 * names, instead of failing on a missing file.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const repository = fileURLToPath(new URL("../..", import.meta.url))

/** The reference directory. */
export const REFERENCE_DIR = process.env.SN365_REFERENCE_DIR ?? join(repository, "..", "shared", "reference")

/** Path of one reference file, and whether it is present. */
export const reference = (...parts: ReadonlyArray<string>) => {
  const path = join(REFERENCE_DIR, ...parts)
  return { path, present: existsSync(path) }
}

/** Suffix for a describe name: empty when present, a note when the suite is skipped. */
export const note = (present: boolean) =>
  present ? "" : ` (SKIPPED: reference data not found in ${REFERENCE_DIR}; set SN365_REFERENCE_DIR)`
