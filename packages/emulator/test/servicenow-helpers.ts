/**
 * Test helpers for the ServiceNow emulator: real HTTP through `emulator.fetch` with the real vendor
 * host names.
 */
import { type Emulator, type EmulatorOptions, startEmulator } from "../src/index.ts"

let counter = 0
/** A fresh instance name per call, so tests never share state. */
export const freshInstance = (): string => `dev${process.pid}${++counter}`

/** Basic credentials. */
export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`

/** The seeded admin, with the Basic-auth gate passed by `adminBasicAuthApiAccess`. */
export const ADMIN = basic("admin", "admin")
export const ITIL = basic("itil", "itil")

export interface CallOptions {
  readonly method?: string
  readonly body?: unknown
  readonly auth?: string | undefined
  readonly headers?: Readonly<Record<string, string>>
}

export interface Called {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** Parsed JSON body (`undefined` when empty or not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
  readonly json: any
}

/** A client for one instance. */
export const client = (emulator: Emulator, instance: string) => {
  const call = async (path: string, options: CallOptions = {}): Promise<Called> => {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers }
    const auth = "auth" in options ? options.auth : ADMIN
    if (auth !== undefined) headers.authorization = auth
    let body: string | undefined
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
      headers["content-type"] ??= "application/json"
    }
    const response = await emulator.fetch(
      new Request(`https://${instance}.service-now.com${path}`, {
        method: options.method ?? "GET",
        headers,
        ...(body === undefined ? {} : { body }),
      }),
    )
    const text = await response.text()
    let json: unknown
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }
  /** POST `/oauth_token.do` with a form body. */
  const token = (form: Readonly<Record<string, string>>) =>
    call("/oauth_token.do", {
      method: "POST",
      auth: undefined,
      body: new URLSearchParams(form).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    })
  return { call, token, instance }
}

/** Starts an emulator whose admin passes the Basic-auth gate (tests of the gate turn it back). */
export const start = (options: EmulatorOptions = {}) =>
  startEmulator({ ...options, servicenow: { adminBasicAuthApiAccess: true, ...options.servicenow } })
