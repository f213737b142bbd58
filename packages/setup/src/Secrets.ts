/**
 * Secrets the setup generates or receives once (the Entra `secretText`, the inbound client
 * secret, the integration user's password). They are returned once, `Redacted`, and may be
 * written to a pluggable store so that a later `verify` — or a re-run that must hand a secret
 * to a new consumer — can use them without rotating.
 *
 * @module
 */
import { randomBytes, randomInt } from "node:crypto"
import { Effect, Redacted } from "effect"

/** The secrets a Basic setup handles. */
export type SecretName = "entraClientSecret" | "inboundClientSecret" | "integrationUserPassword"

/** Keeps generated secrets. Implementations must never log or print them. */
export interface SecretStore {
  readonly get: (name: SecretName) => Effect.Effect<Redacted.Redacted<string> | undefined>
  readonly put: (name: SecretName, value: Redacted.Redacted<string>) => Effect.Effect<void>
  /** Forgets a secret (teardown, once the object that used it is gone). */
  readonly remove: (name: SecretName) => Effect.Effect<void>
  /**
   * What keeps the store from keeping a secret now (the file store: its file cannot be read, or its
   * folder cannot be written), or `undefined`. `apply` asks once it has planned, before it changes
   * anything (and only when it has something to change), so that it never generates a secret it then
   * cannot keep. Optional: a store without it is trusted.
   */
  readonly problem?: () => Effect.Effect<string | undefined>
}

/** An in-memory store: secrets live for one process. */
export const memorySecretStore = (): SecretStore => {
  const values = new Map<SecretName, Redacted.Redacted<string>>()
  return {
    get: (name) => Effect.sync(() => values.get(name)),
    put: (name, value) =>
      Effect.sync(() => {
        values.set(name, value)
      }),
    remove: (name) =>
      Effect.sync(() => {
        values.delete(name)
      }),
  }
}

/**
 * The store runs use when none is given: in memory, shared by every run of this process, so a
 * `verify` after an `apply` in the same process can use the secrets apply generated.
 */
export const processSecretStore: SecretStore = memorySecretStore()

const LOWER = "abcdefghijkmnopqrstuvwxyz"
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
const DIGITS = "23456789"
// Symbols that survive JSON, form encoding and shell quoting without surprises.
const SYMBOLS = "-_.~!@#%+="

/**
 * A strong password (default 32 characters, ~190 bits) with at least one lower-case letter,
 * upper-case letter, digit and symbol, so it satisfies ServiceNow's password policies.
 */
export const generatePassword = (length = 32): Redacted.Redacted<string> => {
  const all = LOWER + UPPER + DIGITS + SYMBOLS
  const chars = [LOWER, UPPER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)] as string)
  while (chars.length < length) chars.push(all[randomInt(all.length)] as string)
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j] as string, chars[i] as string]
  }
  return Redacted.make(chars.join(""))
}

/** A random client secret: 32 bytes, base64url (43 characters). */
export const generateClientSecret = (): Redacted.Redacted<string> =>
  Redacted.make(randomBytes(32).toString("base64url"))
