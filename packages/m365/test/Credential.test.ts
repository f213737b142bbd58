/**
 * Credentials against the emulated token service, through msal-node's real code path: the
 * network client adapter over `emulator.fetch`.
 */
import { createHash, generateKeyPairSync } from "node:crypto"
import { assert, describe, it, vi } from "@effect/vitest"
import { Effect, Fiber, Redacted } from "effect"
import { type DeviceCodePrompt, makeCredential, tokenCredentialFrom } from "../src/Credential.ts"
import { GRAPH_DEFAULT_SCOPE } from "../src/vendor.ts"
import { adminCredential, claimsOf, countRequests, emulator, expectTag } from "./support.ts"

const ADMIN_SCOPE = "https://admin.microsoft.com/.default"

describe("makeCredential", () => {
  it.live("client secret: an app-only Graph token, one token request", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = adminCredential(e)
      const token = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      const claims = claimsOf(Redacted.value(token))
      assert.strictEqual(claims.aud, "https://graph.microsoft.com")
      assert.strictEqual(claims.appid, e.microsoft.defaults.adminApp.appId)
      assert.include(claims.roles as ReadonlyArray<string>, "Application.ReadWrite.All")
      // Only the token endpoint: no instance discovery, no OpenID configuration.
      assert.deepStrictEqual(
        e.requests.all().map((r) => `${r.method} ${r.path.split("?")[0]}`),
        [`POST /${e.microsoft.defaults.tenantId}/oauth2/v2.0/token`],
      )
    }),
  )

  it.live("caches per scope: each scope is requested once, then served from the cache", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = adminCredential(e)
      yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      assert.strictEqual(countRequests(e, "login"), 1)
      const admin = yield* credential.getToken(ADMIN_SCOPE)
      assert.strictEqual(claimsOf(Redacted.value(admin)).aud, "https://admin.microsoft.com")
      yield* credential.getToken(ADMIN_SCOPE)
      yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      assert.strictEqual(countRequests(e, "login"), 2)
    }),
  )

  it.live("a cached token is handed out at once, without asking msal again", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = adminCredential(e)
      const first = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      // Synchronously: msal's own cache lookup is a chain of awaits, which runSync would refuse.
      assert.strictEqual(
        Redacted.value(Effect.runSync(credential.getToken(GRAPH_DEFAULT_SCOPE))),
        Redacted.value(first),
      )
      // A forced renewal still goes to the token service, and its token is the one cached next.
      const renewed = yield* credential.getToken(GRAPH_DEFAULT_SCOPE, { forceRefresh: true })
      assert.notStrictEqual(Redacted.value(renewed), Redacted.value(first))
      assert.strictEqual(
        Redacted.value(Effect.runSync(credential.getToken(GRAPH_DEFAULT_SCOPE))),
        Redacted.value(renewed),
      )
      assert.strictEqual(countRequests(e, "login"), 2)
    }),
  )

  it.live("a cached token is renewed five minutes before it expires", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = adminCredential(e)
      const first = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      // Only Date moves (msal and the emulator read it); timers stay real.
      vi.useFakeTimers({ toFake: ["Date"] })
      yield* Effect.addFinalizer(() => Effect.sync(() => vi.useRealTimers()))
      vi.setSystemTime(Date.now() + 50 * 60_000)
      assert.strictEqual(
        Redacted.value(yield* credential.getToken(GRAPH_DEFAULT_SCOPE)),
        Redacted.value(first),
      )
      assert.strictEqual(countRequests(e, "login"), 1)
      vi.setSystemTime(Date.now() + 6 * 60_000) // 56 minutes: within msal's five-minute margin
      const renewed = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      assert.notStrictEqual(Redacted.value(renewed), Redacted.value(first))
      assert.strictEqual(countRequests(e, "login"), 2)
    }),
  )

  it.live("concurrent requests for one scope share one token request", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = adminCredential(e)
      const tokens = yield* Effect.all(
        Array.from({ length: 8 }, () => credential.getToken(GRAPH_DEFAULT_SCOPE)),
        { concurrency: "unbounded" },
      )
      assert.strictEqual(new Set(tokens.map(Redacted.value)).size, 1)
      assert.strictEqual(countRequests(e, "login"), 1)
    }),
  )

  it.live("a tenant domain works like its id", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = adminCredential(e, { tenant: e.microsoft.defaults.tenantDomain })
      const token = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      assert.strictEqual(claimsOf(Redacted.value(token)).tid, e.microsoft.defaults.tenantId)
    }),
  )

  it.live.each([
    ["SHA-1", "sha1"],
    ["SHA-256", "sha256"],
  ] as const)("certificate with a %s thumbprint registered in the tenant", ([, algorithm]) =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const { tenantId, adminApp } = e.microsoft.defaults
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
      const thumbprint = createHash(algorithm)
        .update(publicKey.export({ type: "spki", format: "der" }))
        .digest("hex")
      e.microsoft.registerCertificate(adminApp.appId, {
        publicKey,
        ...(algorithm === "sha256" ? { thumbprintSha256: thumbprint } : { thumbprint }),
      })
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
      const credential = makeCredential({
        tenant: tenantId,
        auth: { type: "certificate", clientId: adminApp.appId, thumbprint, privateKey: Redacted.make(pem) },
        fetch: e.fetch,
      })
      const token = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      assert.strictEqual(claimsOf(Redacted.value(token)).appidacr, "2")

      // The same thumbprint with another key: the signature does not verify.
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
      const forged = makeCredential({
        tenant: tenantId,
        auth: {
          type: "certificate",
          clientId: adminApp.appId,
          thumbprint,
          privateKey: Redacted.make(other.export({ type: "pkcs8", format: "pem" }).toString()),
        },
        fetch: e.fetch,
      })
      const error = yield* Effect.flip(forged.getToken(GRAPH_DEFAULT_SCOPE))
      assert.strictEqual(error._tag, "InvalidClientCredential")
      assert.include(error.message, "certificate")
    }),
  )

  it.live("device code: the administrator approves while the client polls; later scopes are silent", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { deviceCodeIntervalSeconds: 0 } })
      const { tenantId, publicClient, adminUser } = e.microsoft.defaults
      const prompts: Array<DeviceCodePrompt> = []
      const credential = makeCredential({
        tenant: tenantId,
        auth: { type: "deviceCode", clientId: publicClient.appId },
        fetch: e.fetch,
        onDeviceCode: (prompt) => prompts.push(prompt),
      })
      const fiber = yield* Effect.forkChild(credential.getToken(GRAPH_DEFAULT_SCOPE))
      // Wait until the code is shown and polled at least once, then sign in.
      while (countRequests(e, "login", /\/oauth2\/v2\.0\/token/) < 2) yield* Effect.sleep("5 millis")
      assert.strictEqual(prompts.length, 1)
      e.microsoft.approveDeviceCode(prompts[0]?.userCode ?? "", adminUser)
      const token = yield* Fiber.join(fiber)
      const claims = claimsOf(Redacted.value(token))
      assert.strictEqual(claims.upn ?? claims.preferred_username ?? claims.unique_name, adminUser)
      assert.include(String(claims.scp), "Application.ReadWrite.All")
      assert.match(prompts[0]?.message ?? "", /enter the code/)
      assert.strictEqual(prompts[0]?.verificationUri, "https://microsoft.com/devicelogin")

      // Another resource: redeemed with the refresh token, no second prompt.
      const admin = yield* credential.getToken(ADMIN_SCOPE)
      assert.strictEqual(claimsOf(Redacted.value(admin)).aud, "https://admin.microsoft.com")
      assert.strictEqual(prompts.length, 1)
      assert.strictEqual(e.microsoft.deviceCodes().length, 1)
    }),
  )

  it.live("device code: concurrent first requests share one sign-in", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { deviceCodeIntervalSeconds: 0 } })
      const { tenantId, publicClient, adminUser } = e.microsoft.defaults
      const credential = makeCredential({
        tenant: tenantId,
        auth: { type: "deviceCode", clientId: publicClient.appId },
        fetch: e.fetch,
        onDeviceCode: (prompt) =>
          setTimeout(() => e.microsoft.approveDeviceCode(prompt.userCode, adminUser), 20),
      })
      const [graph, admin] = yield* Effect.all(
        [credential.getToken(GRAPH_DEFAULT_SCOPE), credential.getToken(ADMIN_SCOPE)],
        { concurrency: "unbounded" },
      )
      assert.strictEqual(claimsOf(Redacted.value(graph)).aud, "https://graph.microsoft.com")
      assert.strictEqual(claimsOf(Redacted.value(admin)).aud, "https://admin.microsoft.com")
      assert.strictEqual(e.microsoft.deviceCodes().length, 1)
    }),
  )

  it.live("device code: a declined sign-in is DeviceCodeSignInFailed", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { deviceCodeIntervalSeconds: 0 } })
      const { tenantId, publicClient } = e.microsoft.defaults
      const credential = makeCredential({
        tenant: tenantId,
        auth: { type: "deviceCode", clientId: publicClient.appId },
        fetch: e.fetch,
        onDeviceCode: (prompt) => setTimeout(() => e.microsoft.declineDeviceCode(prompt.userCode), 10),
      })
      const error = expectTag(
        yield* Effect.flip(credential.getToken(GRAPH_DEFAULT_SCOPE)),
        "DeviceCodeSignInFailed",
      )
      assert.strictEqual(error.reason, "declined")
    }),
  )

  it.live("device code: interrupting the caller stops the polling", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { deviceCodeIntervalSeconds: 0 } })
      const { tenantId, publicClient } = e.microsoft.defaults
      const credential = makeCredential({
        tenant: tenantId,
        auth: { type: "deviceCode", clientId: publicClient.appId },
        fetch: e.fetch,
        onDeviceCode: () => undefined,
      })
      const fiber = yield* Effect.forkChild(credential.getToken(GRAPH_DEFAULT_SCOPE))
      while (countRequests(e, "login", /\/token/) < 2) yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(fiber)
      yield* Effect.sleep("50 millis")
      const after = countRequests(e, "login", /\/token/)
      yield* Effect.sleep("100 millis")
      assert.strictEqual(countRequests(e, "login", /\/token/), after)
    }),
  )

  it.live("device code without onDeviceCode fails before any request", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = makeCredential({
        tenant: e.microsoft.defaults.tenantId,
        auth: { type: "deviceCode", clientId: e.microsoft.defaults.publicClient.appId },
        fetch: e.fetch,
      })
      const error = yield* Effect.flip(credential.getToken(GRAPH_DEFAULT_SCOPE))
      assert.strictEqual(error._tag, "DeviceCodeSignInFailed")
      assert.strictEqual(e.requests.all().length, 0)
    }),
  )

  it.live("a wrong secret is InvalidClientCredential with the AADSTS code and a remedy", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = makeCredential({
        tenant: e.microsoft.defaults.tenantId,
        auth: {
          type: "clientSecret",
          clientId: e.microsoft.defaults.adminApp.appId,
          clientSecret: Redacted.make("not-the-secret-at-all"),
        },
        fetch: e.fetch,
      })
      const error = expectTag(
        yield* Effect.flip(credential.getToken(GRAPH_DEFAULT_SCOPE)),
        "InvalidClientCredential",
      )
      assert.strictEqual(error.vendorCode, "AADSTS7000215")
      assert.strictEqual(error.status, 401)
      assert.strictEqual(error.method, "POST")
      assert.isDefined(error.requestId)
      assert.include(error.remedy, "value (not its ID)")
    }),
  )

  it.live("an unknown tenant is TenantNotFound (AADSTS90002)", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = adminCredential(e, { tenant: "fabrikam.onmicrosoft.com" })
      const error = expectTag(yield* Effect.flip(credential.getToken(GRAPH_DEFAULT_SCOPE)), "TenantNotFound")
      assert.strictEqual(error.vendorCode, "AADSTS90002")
    }),
  )

  it.live("an unknown client id is ApplicationNotFound (AADSTS700016)", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const credential = makeCredential({
        tenant: e.microsoft.defaults.tenantId,
        auth: {
          type: "clientSecret",
          clientId: "00000000-0000-4000-8000-000000000001",
          clientSecret: Redacted.make("whatever-secret"),
        },
        fetch: e.fetch,
      })
      const error = expectTag(
        yield* Effect.flip(credential.getToken(GRAPH_DEFAULT_SCOPE)),
        "ApplicationNotFound",
      )
      assert.strictEqual(error.vendorCode, "AADSTS700016")
    }),
  )

  it.live("a 429 from the token service is waited out (Retry-After) before msal sees it", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      e.faults.add({
        kind: "status",
        system: "login",
        status: 429,
        headers: { "retry-after": "1" },
        times: 1,
      })
      const token = yield* adminCredential(e).getToken(GRAPH_DEFAULT_SCOPE)
      assert.isTrue(Redacted.value(token).length > 0)
      assert.strictEqual(countRequests(e, "login"), 2)
    }),
  )
})

describe("tokenCredentialFrom", () => {
  it.live("caches per scope until five minutes before expiry", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      let expiresIn = 3_600_000
      const credential = tokenCredentialFrom({
        getToken: async (scopes) => {
          calls.push(String(scopes))
          return { token: `token-${calls.length}`, expiresOnTimestamp: Date.now() + expiresIn }
        },
      })
      const first = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      const again = yield* credential.getToken(GRAPH_DEFAULT_SCOPE)
      assert.strictEqual(Redacted.value(again), Redacted.value(first))
      yield* credential.getToken(ADMIN_SCOPE)
      assert.deepStrictEqual(calls, [GRAPH_DEFAULT_SCOPE, ADMIN_SCOPE])
      expiresIn = 60_000 // within the renewal window: never cached
      const credential2 = tokenCredentialFrom({
        getToken: async () => ({ token: `t${calls.push("x")}`, expiresOnTimestamp: Date.now() + expiresIn }),
      })
      yield* credential2.getToken(GRAPH_DEFAULT_SCOPE)
      yield* credential2.getToken(GRAPH_DEFAULT_SCOPE)
      assert.strictEqual(calls.length, 4)
    }),
  )

  it.live("a forced renewal does not join a request already in flight, and concurrent ones share one", () =>
    Effect.gen(function* () {
      const started: Array<string> = []
      const answers: Array<() => void> = []
      const credential = tokenCredentialFrom({
        getToken: (scopes) =>
          new Promise((resolve) => {
            const n = started.push(String(scopes))
            answers.push(() => resolve({ token: `token-${n}`, expiresOnTimestamp: Date.now() + 3_600_000 }))
          }),
      })
      const plain = yield* Effect.forkChild(credential.getToken(GRAPH_DEFAULT_SCOPE))
      // The token in flight may be the very one the server refused: a renewal asks afresh.
      const renewals = yield* Effect.forkChild(
        Effect.all(
          [
            credential.getToken(GRAPH_DEFAULT_SCOPE, { forceRefresh: true }),
            credential.getToken(GRAPH_DEFAULT_SCOPE, { forceRefresh: true }),
          ],
          { concurrency: "unbounded" },
        ),
      )
      yield* Effect.sleep("10 millis")
      assert.strictEqual(started.length, 2, "one plain request and one renewal")
      for (const answer of answers) answer()
      assert.strictEqual(Redacted.value(yield* Fiber.join(plain)), "token-1")
      const renewed = yield* Fiber.join(renewals)
      assert.deepStrictEqual(renewed.map(Redacted.value), ["token-2", "token-2"])
    }),
  )

  it.live("a failing provider is AuthenticationFailed", () =>
    Effect.gen(function* () {
      const credential = tokenCredentialFrom({
        getToken: () => Promise.reject(new Error("no az login")),
      })
      const error = yield* Effect.flip(credential.getToken(GRAPH_DEFAULT_SCOPE))
      assert.strictEqual(error._tag, "AuthenticationFailed")
    }),
  )
})
