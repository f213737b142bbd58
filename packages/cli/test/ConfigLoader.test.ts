import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { stringify } from "yaml"
import { type LoadConfigOptions, loadConfig } from "../src/ConfigLoader.ts"
import { CANARY, configFile, secretEnv, tempDir } from "./harness.ts"

const load = (options: Partial<LoadConfigOptions> & { readonly cwd: string }) =>
  loadConfig({ env: {}, ...options }).pipe(Effect.result)

const failure = <A, E>(result: { _tag: "Success"; success: A } | { _tag: "Failure"; failure: E }) => {
  if (result._tag === "Success") throw new Error("expected a failure")
  return result.failure
}

const success = <A, E>(result: { _tag: "Success"; success: A } | { _tag: "Failure"; failure: E }) => {
  if (result._tag === "Failure") throw new Error(`expected success, got ${String(result.failure)}`)
  return result.success
}

const withFile = async (name: string, contents: string) => {
  const dir = await tempDir()
  await writeFile(join(dir, name), contents)
  return dir
}

describe("loadConfig", () => {
  it.live("reads sn365.config.yaml from the current directory, secrets from the environment", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(() => withFile("sn365.config.yaml", stringify(configFile)))
      const loaded = success(yield* load({ cwd, env: secretEnv }))
      assert.strictEqual(loaded.file, join(cwd, "sn365.config.yaml"))
      assert.strictEqual(loaded.config.servicenow.instance, "dev12345")
      const auth = loaded.config.servicenow.auth
      if (auth.type !== "basic") throw new Error("expected basic")
      assert.strictEqual(Redacted.value(auth.password), CANARY.servicenowPassword)
      assert.deepStrictEqual(loaded.warnings, [])
      // Defaults come from the setup's schema.
      assert.strictEqual(loaded.config.integration.prefix, "sn365")
      assert.strictEqual(loaded.config.microsoft365.mode, "api")
    }),
  )

  it.live("reads JSON files and --config paths; a missing --config is a usage error", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(() => withFile("custom.json", JSON.stringify(configFile)))
      const loaded = success(yield* load({ cwd, env: secretEnv, configPath: "custom.json" }))
      assert.strictEqual(loaded.config.entra.tenant, "contoso.onmicrosoft.com")
      const error = failure(yield* load({ cwd, env: secretEnv, configPath: "nope.yaml" }))
      assert.strictEqual(error._tag, "UsageError")
      assert.include(error.message, "Config file not found")
      const fromEnv = failure(yield* load({ cwd, env: { ...secretEnv, SN365_CONFIG: "other.yaml" } }))
      assert.include(fromEnv.message, "(from SN365_CONFIG)")
    }),
  )

  it.live("precedence: flags over environment over file over defaults", () =>
    Effect.gen(function* () {
      const file = {
        ...configFile,
        servicenow: { instance: "fromfile", auth: { type: "basic", username: "file-user" } },
        integration: { m365AdminEmail: "file@contoso.com", prefix: "fileprefix" },
      }
      const cwd = yield* Effect.promise(() => withFile("sn365.config.yml", stringify(file)))
      const env = {
        ...secretEnv,
        SN365_INSTANCE: "fromenv",
        SN365_SERVICENOW_USERNAME: "env-user",
        SN365_PREFIX: "envprefix",
      }
      const loaded = success(
        yield* load({ cwd, env, flags: { instance: "fromflag", "fix-cross-scope": true } }),
      )
      const { config, sources } = loaded
      assert.strictEqual(config.servicenow.instance, "fromflag") // flag > env > file
      if (config.servicenow.auth.type !== "basic") throw new Error("expected basic")
      assert.strictEqual(config.servicenow.auth.username, "env-user") // env > file
      assert.strictEqual(config.integration.prefix, "envprefix") // env > file
      assert.strictEqual(config.integration.m365AdminEmail, "file@contoso.com") // file > default
      assert.strictEqual(config.integration.fixCrossScopeAccess, true) // flag > default
      assert.strictEqual(config.integration.secretLifetimeDays, 180) // default
      const from = Object.fromEntries(sources.map((s) => [s.setting, s.from]))
      assert.deepStrictEqual(
        {
          instance: from["servicenow.instance"],
          username: from["servicenow.auth.username"],
          password: from["servicenow.auth.password"],
          email: from["integration.m365AdminEmail"],
        },
        {
          instance: "--instance",
          username: "SN365_SERVICENOW_USERNAME",
          password: "SN365_SERVICENOW_PASSWORD",
          email: "sn365.config.yml",
        },
      )
      // A boolean from the environment is parsed.
      const envBool = success(yield* load({ cwd, env: { ...env, SN365_FIX_CROSS_SCOPE: "true" } }))
      assert.strictEqual(envBool.config.integration.fixCrossScopeAccess, true)
    }),
  )

  it.live("a missing secret names its environment variable", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(() => withFile("sn365.config.yaml", stringify(configFile)))
      const error = failure(yield* load({ cwd, env: { SN365_ENTRA_CLIENT_SECRET: "x" } }))
      assert.strictEqual(error._tag, "InvalidConfig")
      if (error._tag !== "InvalidConfig") return
      assert.deepStrictEqual(error.problems, [
        {
          path: ["servicenow", "auth", "password"],
          message:
            "missing: set the environment variable SN365_SERVICENOW_PASSWORD (secrets are never read from flags)",
        },
      ])
    }),
  )

  it.live("a bad config lists every problem at once, each with where to fix it", () =>
    Effect.gen(function* () {
      const bad = {
        servicenow: { instance: "http://not-loopback.example.com", auth: { type: "basic" } },
        entra: { tenant: "not a tenant", auth: { type: "magic", clientId: "nope" } },
        integration: { m365AdminEmail: "not-an-email", secretLifetimeDays: 9999 },
      }
      const cwd = yield* Effect.promise(() => withFile("sn365.config.yaml", stringify(bad)))
      const error = failure(yield* load({ cwd, env: { SN365_TENANT: "still not a tenant" } }))
      if (error._tag !== "InvalidConfig") throw new Error(error.message)
      const byPath = Object.fromEntries(error.problems.map((p) => [p.path.join("."), p.message]))
      assert.deepStrictEqual(Object.keys(byPath).sort(), [
        "entra.auth.type",
        "entra.tenant",
        "integration.m365AdminEmail",
        "integration.secretLifetimeDays",
        "servicenow.auth.password",
        "servicenow.auth.username",
        "servicenow.instance",
      ])
      assert.include(byPath["entra.tenant"], "(from SN365_TENANT)")
      assert.include(byPath["servicenow.instance"], "(from sn365.config.yaml)")
      assert.include(
        byPath["entra.auth.type"],
        'must be one of clientSecret, certificate, deviceCode (got "magic")',
      )
      assert.include(byPath["servicenow.auth.username"], "--servicenow-user or SN365_SERVICENOW_USERNAME")
      assert.include(error.message, "The configuration has 7 problems")
    }),
  )

  it.live("without any file, everything can come from flags and the environment", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(tempDir)
      const loaded = success(
        yield* load({
          cwd,
          env: {
            ...secretEnv,
            SN365_SERVICENOW_USERNAME: "admin",
            SN365_ENTRA_CLIENT_ID: configFile.entra.auth.clientId,
          },
          flags: { instance: "dev1", tenant: "contoso.onmicrosoft.com", "admin-email": "a@contoso.com" },
        }),
      )
      assert.isUndefined(loaded.file)
      assert.strictEqual(loaded.config.variant, "basic")
      const error = failure(yield* load({ cwd }))
      assert.include(String((error as { remedy?: string }).remedy), "sn365 init")
    }),
  )

  it.live("infers auth types: device code when Entra has neither secret nor certificate", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(tempDir)
      const base = {
        SN365_INSTANCE: "dev1",
        SN365_TENANT: "contoso.onmicrosoft.com",
        SN365_ADMIN_EMAIL: "a@contoso.com",
        SN365_ENTRA_CLIENT_ID: configFile.entra.auth.clientId,
      }
      const device = success(
        yield* load({ cwd, env: { ...base, SN365_SERVICENOW_TOKEN: CANARY.servicenowToken } }),
      )
      assert.strictEqual(device.config.entra.auth.type, "deviceCode")
      assert.strictEqual(device.config.servicenow.auth.type, "bearer")
      const cert = success(
        yield* load({
          cwd,
          env: {
            ...base,
            SN365_SERVICENOW_CLIENT_ID: "sn-client",
            SN365_SERVICENOW_CLIENT_SECRET: CANARY.servicenowClientSecret,
            SN365_ENTRA_THUMBPRINT: "a".repeat(40),
            SN365_ENTRA_PRIVATE_KEY: CANARY.entraPrivateKey,
          },
        }),
      )
      assert.strictEqual(cert.config.entra.auth.type, "certificate")
      assert.strictEqual(cert.config.servicenow.auth.type, "oauthClientCredentials")
    }),
  )

  it.live("reads the private key from SN365_ENTRA_PRIVATE_KEY_FILE", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(tempDir)
      yield* Effect.promise(() => writeFile(join(cwd, "key.pem"), CANARY.entraPrivateKey))
      const loaded = success(
        yield* load({
          cwd,
          env: {
            SN365_INSTANCE: "dev1",
            SN365_SERVICENOW_TOKEN: "t",
            SN365_TENANT: "contoso.onmicrosoft.com",
            SN365_ADMIN_EMAIL: "a@contoso.com",
            SN365_ENTRA_CLIENT_ID: configFile.entra.auth.clientId,
            SN365_ENTRA_THUMBPRINT: "b".repeat(40),
            SN365_ENTRA_PRIVATE_KEY_FILE: "key.pem",
          },
        }),
      )
      const auth = loaded.config.entra.auth
      if (auth.type !== "certificate") throw new Error("expected certificate")
      assert.strictEqual(Redacted.value(auth.privateKey), CANARY.entraPrivateKey)
    }),
  )

  it.live("warns when a config file holds a secret, or a secret does not fit the auth type", () =>
    Effect.gen(function* () {
      const file = {
        ...configFile,
        servicenow: {
          ...configFile.servicenow,
          auth: { ...configFile.servicenow.auth, password: CANARY.servicenowPassword },
        },
        entra: { ...configFile.entra, auth: { ...configFile.entra.auth, type: "deviceCode" } },
      }
      const cwd = yield* Effect.promise(() => withFile("sn365.config.yaml", stringify(file)))
      const loaded = success(
        yield* load({ cwd, env: { SN365_ENTRA_CLIENT_SECRET: CANARY.entraClientSecret } }),
      )
      assert.strictEqual(loaded.warnings.length, 2)
      assert.include(loaded.warnings[0], "contains a secret at servicenow.auth.password")
      assert.include(loaded.warnings[0], "SN365_SERVICENOW_PASSWORD")
      assert.include(loaded.warnings[1], "entra.auth.type is deviceCode")
      for (const warning of loaded.warnings) {
        assert.notInclude(warning, CANARY.servicenowPassword)
        assert.notInclude(warning, CANARY.entraClientSecret)
      }
    }),
  )

  it.live("switching the auth type drops the fields the new type does not use, with a warning each", () =>
    Effect.gen(function* () {
      // A basic-auth file (as `sn365 init` writes it), switched to bearer by a flag, in an
      // environment that also holds another config's client id.
      const cwd = yield* Effect.promise(() => withFile("sn365.config.yaml", stringify(configFile)))
      const loaded = success(
        yield* load({
          cwd,
          flags: { "servicenow-auth": "bearer" },
          env: {
            SN365_SERVICENOW_TOKEN: CANARY.servicenowPassword,
            SN365_SERVICENOW_CLIENT_ID: "shared-client-id",
            SN365_ENTRA_CLIENT_SECRET: CANARY.entraClientSecret,
          },
        }),
      )
      assert.strictEqual(loaded.config.servicenow.auth.type, "bearer")
      const dropped = loaded.warnings.filter((w) => w.includes("which does not use it; it is ignored"))
      assert.deepStrictEqual(
        dropped.map((w) => w.split(" ")[0]),
        ["servicenow.auth.username", "servicenow.auth.clientId"],
      )
      assert.include(dropped[1], "is set (SN365_SERVICENOW_CLIENT_ID)")
      for (const warning of loaded.warnings) assert.notInclude(warning, CANARY.servicenowPassword)
    }),
  )

  it.live("never echoes a secret: invalid secret values and unparsable files", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(() =>
        withFile(
          "sn365.config.yaml",
          `servicenow:\n  auth:\n    password: [${CANARY.servicenowPassword}\n  instance: x: y\n`,
        ),
      )
      const parse = failure(yield* load({ cwd }))
      assert.strictEqual(parse._tag, "UsageError")
      assert.include(parse.message, "Cannot parse config file")
      assert.include(parse.message, "line")
      assert.notInclude(parse.message, CANARY.servicenowPassword)

      const typed = yield* Effect.promise(() =>
        withFile(
          "sn365.config.json",
          JSON.stringify({
            ...configFile,
            entra: { ...configFile.entra, auth: { ...configFile.entra.auth, clientSecret: 12345 } },
          }),
        ),
      )
      const invalid = failure(
        yield* load({ cwd: typed, env: { SN365_SERVICENOW_PASSWORD: CANARY.servicenowPassword } }),
      )
      if (invalid._tag !== "InvalidConfig") throw new Error(invalid.message)
      const problem = invalid.problems.find((p) => p.path.join(".") === "entra.auth.clientSecret")
      assert.strictEqual(
        problem?.message,
        "invalid (value not shown): set the environment variable SN365_ENTRA_CLIENT_SECRET to a non-empty string",
      )
      assert.notInclude(invalid.message, "12345")
    }),
  )

  it.live("reports a config path that is a folder, or runs through a file, in words", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(() => withFile("sn365.config.yaml", "x: 1"))
      const folder = failure(yield* load({ cwd, configPath: "." }))
      assert.strictEqual(folder._tag, "UsageError")
      assert.strictEqual(folder.message, `Cannot read config file ${cwd}: it is a folder`)
      assert.include((folder as { remedy?: string }).remedy ?? "", "sn365 init")
      const through = failure(yield* load({ cwd, configPath: "sn365.config.yaml/x.yaml" }))
      assert.include(through.message, "Config file not found")
    }),
  )

  it.live("warns when several default config files exist and uses the JSON one", () =>
    Effect.gen(function* () {
      const cwd = yield* Effect.promise(() => withFile("sn365.config.json", JSON.stringify(configFile)))
      yield* Effect.promise(() => mkdir(join(cwd, "sub")))
      yield* Effect.promise(() =>
        writeFile(join(cwd, "sn365.config.yaml"), stringify({ ...configFile, variant: "nope" })),
      )
      const loaded = success(yield* load({ cwd, env: secretEnv }))
      assert.include(loaded.warnings[0], "Several config files found")
      assert.strictEqual(loaded.file, join(cwd, "sn365.config.json"))
    }),
  )
})
