/**
 * Deterministic randomness: every id, secret and probabilistic fault comes from one seeded
 * generator, so a run with the same seed and the same requests behaves the same way.
 *
 * @module
 */

/** A seeded pseudo-random source. */
export interface Random {
  /** A float in [0, 1). */
  readonly next: () => number
  /** `length` lower-case hex characters (a ServiceNow sys_id is 32). */
  readonly hex: (length: number) => string
  /** A version-4-shaped GUID (Entra object ids, app ids, key ids). */
  readonly guid: () => string
  /** A string of `length` characters from `alphabet`. */
  readonly string: (length: number, alphabet?: string) => string
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** mulberry32: tiny, fast and good enough for test data; not for cryptography. */
export const seededRandom = (seed: number): Random => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const hex = (length: number) => {
    let out = ""
    while (out.length < length) out += Math.floor(next() * 16).toString(16)
    return out
  }
  const guid = () => {
    const h = hex(32)
    const variant = "89ab"[Math.floor(next() * 4)] ?? "8"
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
  }
  const string = (length: number, alphabet = ALPHANUMERIC) => {
    let out = ""
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)]
    return out
  }
  return { next, hex, guid, string }
}
