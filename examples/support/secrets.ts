/**
 * Where the secrets a setup generates are kept: the Entra client secret, the inbound OAuth client's
 * secret and the integration user's password. They are returned once, so a later `verify` in another
 * process needs them from somewhere.
 *
 * With `SN365_SECRETS_FILE` set they go to that JSON file (mode 0600) — the same format as
 * `sn365 apply --secrets-file`, so the examples and the CLI can share it. Otherwise they stay in
 * this process's memory.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { memorySecretStore, type SecretStore } from "@sn365/setup"
import { Effect, Redacted } from "effect"

const read = (path: string): Record<string, string> =>
  existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, string>) : {}

/** A `SecretStore` over a JSON file. A store's methods are Effects; `Effect.sync` wraps plain code. */
export const fileSecretStore = (path: string): SecretStore => ({
  get: (name) =>
    Effect.sync(() => {
      const value = read(path)[name]
      return value === undefined ? undefined : Redacted.make(value)
    }),
  put: (name, value) =>
    Effect.sync(() => {
      const contents = { ...read(path), [name]: Redacted.value(value) }
      writeFileSync(path, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 })
    }),
})

/** The store the environment asks for. */
export const secretStore = (): SecretStore => {
  const path = process.env.SN365_SECRETS_FILE
  return path === undefined || path === "" ? memorySecretStore() : fileSecretStore(path)
}
