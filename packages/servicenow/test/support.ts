/**
 * Test helpers: one emulator per test file, a fresh instance per test (instances are created on
 * demand and seeded), and clients on the real vendor host names through `emulator.fetch`.
 */
import { type Emulator, type EmulatorOptions, startEmulator } from "@sn365/emulator"
import { Redacted } from "effect"
import type { ServiceNowAuth } from "../src/Auth.ts"
import { makeServiceNow, type ServiceNowOptions } from "../src/Client.ts"

let counter = 0
/** A fresh instance name, so tests never share state. */
export const freshInstance = (): string => `dev${process.pid % 100000}${String(++counter).padStart(3, "0")}`

/** The instance URL of an instance name. */
export const urlOf = (instance: string) => `https://${instance}.service-now.com`

/** The seeded admin over Basic auth. */
export const ADMIN: ServiceNowAuth = { type: "basic", username: "admin", password: Redacted.make("admin") }

/** Starts an emulator whose admin passes the Basic-auth gate (gate tests turn it back on). */
export const start = (options: EmulatorOptions = {}): Promise<Emulator> =>
  startEmulator({ ...options, servicenow: { adminBasicAuthApiAccess: true, ...options.servicenow } })

/** Fast retries, so fault tests do not wait for production backoff. */
export const FAST_RETRY = { baseDelay: "5 millis", maxDelay: "20 millis", jitter: 0 } as const

/** A client of `instance` on the emulator. */
export const clientOf = (
  emulator: Emulator,
  instance: string,
  options: Partial<Omit<ServiceNowOptions, "instanceUrl">> = {},
) =>
  makeServiceNow({
    instanceUrl: urlOf(instance),
    auth: ADMIN,
    fetch: emulator.fetch,
    retry: FAST_RETRY,
    ...options,
  })

/** Requests the emulator answered for `instance`, optionally of one method and path prefix. */
export const requestsTo = (emulator: Emulator, instance: string, method?: string, path?: string) =>
  emulator.requests.count(
    (r) =>
      r.host === `${instance}.service-now.com` &&
      (method === undefined || r.method === method) &&
      (path === undefined || r.path.startsWith(path)),
  )

/**
 * An inbound OAuth client (`oauth_entity` type `client`) with a known secret, made through the
 * control (bypassing the client under test).
 */
export const inboundClient = (emulator: Emulator, instance: string, secret = "in-secret-1234") => {
  const row = emulator.servicenow.insert(instance, "oauth_entity", {
    name: "sn365 test inbound",
    type: "client",
    client_secret: secret,
  })
  return { sysId: row.sys_id ?? "", clientId: row.client_id ?? "", secret }
}
