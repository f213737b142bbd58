import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { decodeConfig, instanceName, instanceOrigin, type SetupConfigInput } from "../src/Config.ts"

export const validInput = {
  variant: "basic",
  servicenow: {
    instance: "dev12345",
    auth: { type: "basic", username: "sn365_setup", password: "pw-canary-1" },
  },
  entra: {
    tenant: "contoso.onmicrosoft.com",
    auth: {
      type: "clientSecret",
      clientId: "11111111-2222-4333-8444-555555555555",
      clientSecret: "cs-canary-2",
    },
  },
  integration: { m365AdminEmail: "admin@contoso.com" },
}

describe("decodeConfig", () => {
  it.effect("decodes a minimal config, applies documented defaults and redacts secrets", () =>
    Effect.gen(function* () {
      const config = yield* decodeConfig(validInput)
      assert.strictEqual(config.integration.refreshTokenExpiry, 864000)
      assert.strictEqual(config.integration.inboundRefreshTokenLifespan, 8640000)
      assert.strictEqual(config.integration.prefix, "sn365")
      assert.strictEqual(config.integration.testEnvironment, true)
      assert.strictEqual(config.microsoft365.mode, "api")
      assert.deepStrictEqual(config.roles, { insightsUsers: [], administrators: [] })
      if (config.servicenow.auth.type !== "basic") throw new Error("expected basic")
      assert.isTrue(Redacted.isRedacted(config.servicenow.auth.password))
      assert.strictEqual(Redacted.value(config.servicenow.auth.password), "pw-canary-1")
      const printed = JSON.stringify(config) + String(config.servicenow.auth.password)
      assert.notInclude(printed, "pw-canary-1")
      assert.notInclude(printed, "cs-canary-2")
      assert.strictEqual(instanceOrigin(config), "https://dev12345.service-now.com")
      assert.strictEqual(instanceName(config), "dev12345")
    }),
  )

  it.effect("takes secrets from code as Redacted values too, and checks them the same way", () =>
    Effect.gen(function* () {
      // Typed as code would write it: the input type accepts a Redacted secret.
      const input = {
        variant: "basic",
        servicenow: {
          instance: "dev12345",
          auth: { type: "basic", username: "a", password: Redacted.make("pw-3") },
        },
        entra: {
          tenant: "contoso.onmicrosoft.com",
          auth: {
            type: "clientSecret",
            clientId: validInput.entra.auth.clientId,
            clientSecret: Redacted.make("cs-4"),
          },
        },
        integration: { m365AdminEmail: "admin@contoso.com" },
      } satisfies SetupConfigInput
      const config = yield* decodeConfig(input)
      if (config.servicenow.auth.type !== "basic") throw new Error("expected basic")
      assert.strictEqual(Redacted.value(config.servicenow.auth.password), "pw-3")
      const empty = yield* Effect.flip(
        decodeConfig({
          ...input,
          servicenow: {
            ...input.servicenow,
            auth: { ...input.servicenow.auth, password: Redacted.make("") },
          },
        }),
      )
      assert.deepStrictEqual(
        empty.problems.map((p) => p.path.join(".")),
        ["servicenow.auth.password"],
      )
    }),
  )

  it.effect("accepts a full https origin as the instance", () =>
    Effect.gen(function* () {
      const config = yield* decodeConfig({
        ...validInput,
        servicenow: { ...validInput.servicenow, instance: "https://acme.servicenowservices.com" },
      })
      assert.strictEqual(instanceOrigin(config), "https://acme.servicenowservices.com")
      assert.strictEqual(instanceName(config), "acme")
    }),
  )

  it.effect("reports every problem at once, each with its path, without echoing secrets", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        decodeConfig({
          variant: "basic",
          servicenow: {
            instance: "evil.com/x",
            auth: { type: "basic", username: "", password: "pw-canary-3" },
          },
          entra: {
            tenant: "not a tenant",
            auth: { type: "clientSecret", clientId: "nope", clientSecret: "cs-canary-4" },
          },
          integration: { m365AdminEmail: "a@b", refreshTokenExpiry: 10 },
        }),
      )
      assert.strictEqual(error._tag, "InvalidConfig")
      const paths = error.problems.map((p) => p.path.join("."))
      for (const path of [
        "servicenow.instance",
        "servicenow.auth",
        "entra.tenant",
        "entra.auth",
        "integration.m365AdminEmail",
        "integration.refreshTokenExpiry",
      ]) {
        assert.isTrue(
          paths.some((p) => p.startsWith(path)),
          `expected a problem at ${path}, got ${paths.join(", ")}`,
        )
      }
      assert.notInclude(error.message + JSON.stringify(error), "pw-canary-3")
      assert.notInclude(error.message + JSON.stringify(error), "cs-canary-4")
    }),
  )

  it.effect("reports a misspelled or unknown key, at every depth, instead of ignoring it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        decodeConfig({
          ...validInput,
          extra: true,
          servicenow: { ...validInput.servicenow, auth: { ...validInput.servicenow.auth, pasword: "x" } },
          integration: { ...validInput.integration, testEnviroment: false },
        }),
      )
      assert.deepStrictEqual(error.problems.map((p) => p.path.join(".")).sort(), [
        "extra",
        "integration.testEnviroment",
        "servicenow.auth.pasword",
      ])
      for (const problem of error.problems) assert.match(problem.message, /^Unknown key: check its spelling/)
    }),
  )

  it.effect("names the variants it knows when the config names another", () =>
    Effect.gen(function* () {
      for (const [variant, got] of [
        ["fancy", '"fancy"'],
        [3, "3"],
      ] as const) {
        const error = yield* Effect.flip(decodeConfig({ ...validInput, variant }))
        assert.deepStrictEqual(error.problems, [
          { path: ["variant"], message: `Expected "basic", got ${got}` },
        ])
      }
    }),
  )

  it.effect(
    "names the auth types it knows, and what a whole configuration needs, instead of printing the schema",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          decodeConfig({
            ...validInput,
            servicenow: { ...validInput.servicenow, auth: { type: "oauth", username: "a" } },
            entra: { ...validInput.entra, auth: "secret" },
          }),
        )
        assert.deepStrictEqual(error.problems, [
          {
            path: ["servicenow", "auth"],
            message:
              'must be an object whose type is "basic", "oauthPassword", "oauthClientCredentials" or "bearer"',
          },
          {
            path: ["entra", "auth"],
            message: 'must be an object whose type is "clientSecret", "certificate" or "deviceCode"',
          },
        ])
        for (const input of [undefined, {}, "sn365.config.yaml"]) {
          const whole = yield* Effect.flip(decodeConfig(input))
          assert.deepStrictEqual(whole.problems, [
            {
              path: [],
              message: 'must be a configuration object: variant "basic", servicenow, entra and integration',
            },
          ])
        }
      }),
  )

  it.effect(
    "rejects a form refresh-token expiry longer than the inbound endpoint's refresh-token lifespan",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          decodeConfig({
            ...validInput,
            integration: { m365AdminEmail: "admin@contoso.com", refreshTokenExpiry: 9_000_000 },
          }),
        )
        assert.deepStrictEqual(
          error.problems.map((p) => p.path.join(".")),
          ["integration.refreshTokenExpiry"],
        )
        assert.include(error.message, "must not exceed inboundRefreshTokenLifespan (8640000)")
      }),
  )

  it.effect("rejects instance URLs with credentials, paths or plain http", () =>
    Effect.gen(function* () {
      for (const instance of [
        "https://u:p@dev1.service-now.com",
        "https://dev1.service-now.com/x",
        "http://dev1.service-now.com",
        "a@b",
        "dev 1",
      ]) {
        const error = yield* Effect.flip(
          decodeConfig({ ...validInput, servicenow: { ...validInput.servicenow, instance } }),
        )
        assert.deepStrictEqual(
          error.problems.map((p) => p.path.join(".")),
          ["servicenow.instance"],
          instance,
        )
      }
    }),
  )
})
