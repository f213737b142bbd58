/**
 * Helpers for the Microsoft emulator tests: real HTTP through `emulator.fetch`, with the real
 * vendor URLs.
 */
import { type Emulator, type EmulatorOptions, startEmulator } from "../src/index.ts"

export const LOGIN = "https://login.microsoftonline.com"
export const GRAPH = "https://graph.microsoft.com/v1.0"
export const ADMIN = "https://admin.microsoft.com/modeled/supportIntegration/v1"

/** Starts an emulator with the Microsoft options given. */
export const start = (
  microsoft: EmulatorOptions["microsoft"] = {},
  options: Omit<EmulatorOptions, "microsoft"> = {},
) => startEmulator({ ...options, microsoft })

/** A JSON response: status, headers and parsed body (`undefined` when empty). */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected freely
  readonly body: any
}

const reply = async (response: Response): Promise<Reply> => {
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : JSON.parse(text),
  }
}

/** POSTs a form to the token service. */
export const postForm = async (
  emulator: Emulator,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Reply> =>
  reply(
    await emulator.fetch(
      new Request(`${LOGIN}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(form).toString(),
      }),
    ),
  )

/** A client-credentials access token (v2), failing the test when refused. */
export const appToken = async (
  emulator: Emulator,
  credentials: { readonly appId: string; readonly secret: string },
  scope = "https://graph.microsoft.com/.default",
  tenant = emulator.microsoft.defaults.tenantId,
): Promise<string> => {
  const response = await postForm(emulator, `/${tenant}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: credentials.appId,
    client_secret: credentials.secret,
    scope,
  })
  if (response.status !== 200) throw new Error(`token refused: ${JSON.stringify(response.body)}`)
  return response.body.access_token as string
}

/** A JSON client for one base URL and bearer token. */
export const client =
  (emulator: Emulator, base: string, token: string | undefined) =>
  async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> =>
    reply(
      await emulator.fetch(
        new Request(`${base}${path}`, {
          method,
          headers: {
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      ),
    )

/** The claims of a JWT, unverified. */
export const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"))

/** A Graph client authenticated as the seeded admin application. */
export const adminGraph = async (emulator: Emulator) =>
  client(emulator, GRAPH, await appToken(emulator, emulator.microsoft.defaults.adminApp))
