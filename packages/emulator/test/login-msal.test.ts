/**
 * The emulated token service driven by the real `@azure/msal-node` 7.2.3, reaching it through a
 * `system.networkClient` that uses `emulator.fetch` (production authority, only the transport
 * swapped: entra-graph-msal.md §5.7 option A). The requests msal makes are recorded and asserted.
 */
import { createHash, generateKeyPairSync } from "node:crypto"
import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
  PublicClientApplication,
  ServerError,
} from "@azure/msal-node"
import { describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { claimsOf, start } from "./microsoft-helpers.ts"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly form: Record<string, string>
}

/** An msal network client over `emulator.fetch` that records every request. */
const recordingNetwork = (emulator: Emulator) => {
  const seen: Array<Seen> = []
  const send = async <T>(
    method: string,
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    seen.push({
      method,
      url,
      headers: options?.headers ?? {},
      form: Object.fromEntries(new URLSearchParams(options?.body ?? "")),
    })
    const response = await emulator.fetch(
      new Request(url, { method, headers: options?.headers ?? {}, body: options?.body ?? null }),
    )
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name] = value
    })
    return { status: response.status, headers, body: (await response.json()) as T }
  }
  const network: INetworkModule = {
    sendGetRequestAsync: (url, options) => send("GET", url, options),
    sendPostRequestAsync: (url, options) => send("POST", url, options),
  }
  return { network, seen }
}

describe("msal-node 7.2.3 against the emulated token service", () => {
  it("ConfidentialClientApplication (client secret): one token POST, then the cache", async () => {
    await using emulator = await start()
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const { network, seen } = recordingNetwork(emulator)
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: adminApp.appId,
        clientSecret: adminApp.secret,
        authority: `https://login.microsoftonline.com/${tenantId}`,
      },
      system: { networkClient: network },
    })
    const first = await cca.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    })
    expect(first?.fromCache).toBe(false)
    expect(claimsOf(first?.accessToken ?? "")).toMatchObject({
      aud: "https://graph.microsoft.com",
      appid: adminApp.appId,
    })

    // What msal actually sent: no discovery, only the token POST with its telemetry extras.
    expect(seen).toHaveLength(1)
    const [request] = seen
    expect(request?.method).toBe("POST")
    expect(request?.url).toMatch(
      new RegExp(
        `^https://login\\.microsoftonline\\.com/${tenantId}/oauth2/v2\\.0/token\\?client-request-id=[0-9a-f-]{36}$`,
      ),
    )
    expect(request?.headers["Content-Type"] ?? request?.headers["content-type"]).toBe(
      "application/x-www-form-urlencoded;charset=utf-8",
    )
    expect(request?.form).toMatchObject({
      grant_type: "client_credentials",
      client_id: adminApp.appId,
      scope: "https://graph.microsoft.com/.default",
      "x-client-SKU": "msal.js.node",
      "x-client-VER": "7.2.3",
      "x-ms-lib-capability": "retry-after, h429",
    })
    expect(emulator.requests.count((r) => r.system === "login")).toBe(1)

    const second = await cca.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    })
    expect(second?.fromCache).toBe(true)
    expect(emulator.requests.count((r) => r.system === "login")).toBe(1)
  })

  it("surfaces AADSTS7000215 as a ServerError", async () => {
    await using emulator = await start()
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: adminApp.appId,
        clientSecret: "not-the-secret",
        authority: `https://login.microsoftonline.com/${tenantId}`,
      },
      system: { networkClient: recordingNetwork(emulator).network },
    })
    const error = await cca
      .acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServerError)
    expect(error).toMatchObject({ errorCode: "invalid_client", errorNo: 7000215, status: 401 })
  })

  it.each([
    ["SHA-256 thumbprint (PS256, x5t#S256)", "sha256"],
    ["SHA-1 thumbprint (RS256, x5t)", "sha1"],
  ] as const)("ConfidentialClientApplication with a certificate: %s", async (_label, algorithm) => {
    await using emulator = await start()
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
    const thumbprint = createHash(algorithm)
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("hex")
    emulator.microsoft.registerCertificate(adminApp.appId, {
      publicKey,
      ...(algorithm === "sha256" ? { thumbprintSha256: thumbprint } : { thumbprint }),
    })
    const { network, seen } = recordingNetwork(emulator)
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: adminApp.appId,
        authority: `https://login.microsoftonline.com/${tenantId}`,
        clientCertificate:
          algorithm === "sha256"
            ? { thumbprintSha256: thumbprint, privateKey: pem }
            : { thumbprint, privateKey: pem },
      },
      system: { networkClient: network },
    })
    const result = await cca.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    })
    expect(claimsOf(result?.accessToken ?? "")).toMatchObject({ appidacr: "2", appid: adminApp.appId })
    expect(seen[0]?.form.client_assertion_type).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")

    // Another key, same thumbprint header: the signature does not verify.
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    })
    const forged = new ConfidentialClientApplication({
      auth: {
        clientId: adminApp.appId,
        authority: `https://login.microsoftonline.com/${tenantId}`,
        clientCertificate:
          algorithm === "sha256"
            ? { thumbprintSha256: thumbprint, privateKey: other.toString() }
            : { thumbprint, privateKey: other.toString() },
      },
      system: { networkClient: network },
    })
    const error = await forged
      .acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ errorCode: "invalid_client", errorNo: 700027 })
  })

  it("PublicClientApplication device code: approved from the callback", async () => {
    await using emulator = await start({ deviceCodeIntervalSeconds: 0 })
    const { tenantId, publicClient, adminUser } = emulator.microsoft.defaults
    const { network, seen } = recordingNetwork(emulator)
    const pca = new PublicClientApplication({
      auth: { clientId: publicClient.appId, authority: `https://login.microsoftonline.com/${tenantId}` },
      system: { networkClient: network },
    })
    const result = await pca.acquireTokenByDeviceCode({
      scopes: ["https://graph.microsoft.com/Application.ReadWrite.All"],
      deviceCodeCallback: (response) => emulator.microsoft.approveDeviceCode(response.userCode, adminUser),
    })
    expect(result?.account?.username).toBe(adminUser)
    expect(claimsOf(result?.accessToken ?? "").scp).toBe("Application.ReadWrite.All")
    expect(seen.map((s) => `${s.method} ${new URL(s.url).pathname}`)).toEqual([
      `POST /${tenantId}/oauth2/v2.0/devicecode`,
      `POST /${tenantId}/oauth2/v2.0/token`,
    ])
    expect(seen[1]?.form.grant_type).toBe("device_code")
  })
})
