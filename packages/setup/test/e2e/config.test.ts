import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { PreflightFailed } from "../../src/Errors.ts"
import { setupIntegration } from "../../src/Promise.ts"
import { plan } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, optionsFor } from "../support/emulator.ts"

describe("a bad configuration", () => {
  it.live("is rejected with every problem at once, before any HTTP request", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      emulator.requests.clear()
      const error = yield* Effect.promise(() =>
        setupIntegration(
          {
            variant: "basic",
            servicenow: { instance: "https://evil.example/x", auth: { type: "basic", username: "admin" } },
            entra: {
              tenant: "not a tenant",
              auth: { type: "clientSecret", clientId: "x", clientSecret: "s3cret-canary" },
            },
            integration: { m365AdminEmail: "nobody" },
            roles: { insightsUsers: [""] },
          },
          { fetch: emulator.fetch },
        ).then(
          () => undefined,
          (e: unknown) =>
            e as { _tag: string; problems: ReadonlyArray<{ path: ReadonlyArray<string> }>; message: string },
        ),
      )
      expect(error?._tag).toBe("InvalidConfig")
      expect(error?.problems.map((p) => p.path.join(".")).sort()).toEqual([
        "entra.auth.clientId",
        "entra.tenant",
        "integration.m365AdminEmail",
        "roles.insightsUsers.0",
        "servicenow.auth.password",
        "servicenow.instance",
      ])
      expect(error?.message).not.toContain("s3cret-canary")
      expect(emulator.requests.count()).toBe(0)
    }),
  )
})

describe("a configuration the services refuse", () => {
  it.live("a wrong Entra secret is one problem, not one per token the run would need", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const { tenantDomain, adminApp } = emulator.microsoft.defaults
      const config = yield* decoded(
        configInput(emulator, {
          entra: {
            tenant: tenantDomain,
            auth: { type: "clientSecret", clientId: adminApp.appId, clientSecret: "wrong" },
          },
        }),
      )
      const error = yield* Effect.flip(plan(config, optionsFor(emulator).options))
      expect(error._tag).toBe("PreflightFailed")
      const problems = (error as PreflightFailed).problems
      expect(problems.map((p) => [p.check, p.tag])).toEqual([["Entra sign-in", "InvalidClientCredential"]])
    }),
  )
})
