/**
 * Builds the setup configuration from a file, the environment and flags — in that order of
 * increasing precedence, over the setup's own defaults — and decodes it with `decodeConfig`, so
 * that every problem is reported at once, each with where its value came from and, for a missing
 * secret, the environment variable to set.
 *
 * @module
 */
import { access, readFile } from "node:fs/promises"
import { basename, resolve } from "node:path"
import { decodeConfig, EntraAuth, fileErrorReason, ServiceNowAuth, type SetupConfig } from "@sn365/setup"
import * as Effect from "effect/Effect"
import { parseDocument } from "yaml"
import { ConfigError, type ConfigIssue, UsageError } from "./Errors.ts"
import { CONFIG_FILE_NAMES, ENV, SETTINGS, type Setting, settingAt } from "./Settings.ts"

/** Values of the configuration flags, keyed by flag name without dashes (`instance`, `tenant`…). */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>

/** Where to look for configuration. */
export interface LoadConfigOptions {
  /** `--config`: an explicit file. Otherwise `SN365_CONFIG`, then the default names in `cwd`. */
  readonly configPath?: string | undefined
  readonly flags?: FlagValues
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

/** Where one setting's value came from: a flag, an environment variable or the file. */
export interface ConfigSource {
  /** The setting's path, e.g. `servicenow.instance`. */
  readonly setting: string
  /** `--instance`, `SN365_INSTANCE` or the file name. Never the value. */
  readonly from: string
}

/** A decoded configuration and how it was assembled. */
export interface LoadedConfig {
  readonly config: SetupConfig
  /** The config file used, if any. */
  readonly file?: string
  readonly warnings: ReadonlyArray<string>
  readonly sources: ReadonlyArray<ConfigSource>
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const getIn = (value: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value)

const setIn = (target: Json, path: ReadonlyArray<string>, value: unknown): void => {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (!isObject(next)) node[key] = {}
    node = node[key] as Json
  }
  node[path[path.length - 1] as string] = value
}

const ensureObject = (target: Json, path: ReadonlyArray<string>): Json => {
  const existing = getIn(target, path)
  if (isObject(existing)) return existing
  if (existing !== undefined) return {} // leave a wrong value in place: decoding reports it
  setIn(target, path, {})
  return getIn(target, path) as Json
}

const parseValue = (setting: Setting, raw: string | boolean): unknown => {
  if (setting.type === "string" || typeof raw === "boolean") return raw
  const lower = raw.trim().toLowerCase()
  if (["true", "1", "yes"].includes(lower)) return true
  if (["false", "0", "no"].includes(lower)) return false
  return raw // decoding reports "Expected boolean"
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

/** Finds the config file: `--config`, then `SN365_CONFIG`, then the default names in `cwd`. */
const findFile = Effect.fn(function* (options: LoadConfigOptions, warnings: Array<string>) {
  const explicit = options.configPath ?? options.env[ENV.config]
  if (explicit !== undefined && explicit !== "") {
    const path = resolve(options.cwd, explicit)
    if (!(yield* Effect.promise(() => exists(path)))) {
      const origin = options.configPath === undefined ? `${ENV.config}` : "--config"
      return yield* new UsageError({
        message: `Config file not found: ${path} (from ${origin})`,
        remedy: "Check the path, or run `sn365 init` to write a starter config.",
      })
    }
    return path
  }
  const found: Array<string> = []
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(options.cwd, name)
    if (yield* Effect.promise(() => exists(path))) found.push(path)
  }
  if (found.length > 1)
    warnings.push(
      `Several config files found (${found.map((f) => basename(f)).join(", ")}); using ${basename(found[0] as string)}.`,
    )
  return found[0]
})

/** Reads and parses a YAML or JSON config file. Parse errors show the position, never the file's text. */
const readConfigFile = Effect.fn(function* (path: string) {
  const text = yield* Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (cause) =>
      new UsageError({
        message: `Cannot read config file ${path}: ${fileErrorReason(cause)}`,
        remedy:
          "Pass the path of a YAML or JSON config file with --config, or run `sn365 init` to write one.",
      }),
  })
  const document = parseDocument(text)
  if (document.errors.length > 0) {
    // The parser's messages end with a code frame, which may show a secret: keep the first line.
    const lines = document.errors.map((e) => `  - ${(e.message.split("\n")[0] ?? "").replace(/:$/, "")}`)
    return yield* new UsageError({
      message: `Cannot parse config file ${path}:\n${lines.join("\n")}`,
      remedy: "Fix the syntax (YAML 1.2 or JSON).",
    })
  }
  const data: unknown = document.toJS()
  if (data === null || data === undefined) return {}
  if (!isObject(data))
    return yield* new UsageError({
      message: `Config file ${path} must contain a mapping (key: value pairs) at the top level.`,
    })
  return data
})

/** Each auth type's fields, from the setup's own schema: `{ basic: ["type", "username", "password"], … }`. */
const fieldsByType = (union: {
  readonly members: ReadonlyArray<{
    readonly fields: { readonly type: { readonly literal: string } } & Record<string, unknown>
  }>
}): Readonly<Record<string, ReadonlyArray<string>>> =>
  Object.fromEntries(union.members.map((member) => [member.fields.type.literal, Object.keys(member.fields)]))

const SERVICENOW_AUTH_FIELDS = fieldsByType(ServiceNowAuth)
const ENTRA_AUTH_FIELDS = fieldsByType(EntraAuth)

const present = (value: unknown) => value !== undefined && value !== null && value !== ""

/** ServiceNow auth type from the fields given, when `type` is not set. */
const inferServiceNowAuth = (auth: Json): string => {
  if (present(auth.token)) return "bearer"
  if (present(auth.clientId) || present(auth.clientSecret))
    return present(auth.username) || present(auth.password) ? "oauthPassword" : "oauthClientCredentials"
  return "basic"
}

/** Entra auth type from the fields given, when `type` is not set: device code when no credential is. */
const inferEntraAuth = (auth: Json): string => {
  if (present(auth.clientSecret)) return "clientSecret"
  if (present(auth.privateKey) || present(auth.thumbprint)) return "certificate"
  return "deviceCode"
}

const UNION_TYPES: Record<string, ReadonlyArray<string>> = {
  "servicenow.auth": Object.keys(SERVICENOW_AUTH_FIELDS),
  "entra.auth": Object.keys(ENTRA_AUTH_FIELDS),
}

const PLACEHOLDER = /^<[^<>]*>$/

/** Values still holding a `<placeholder>` of the starter config (`sn365 init`). */
const findPlaceholders = (value: unknown, path: ReadonlyArray<string> = []): Array<ConfigIssue> => {
  if (typeof value === "string")
    return PLACEHOLDER.test(value) ? [{ path, message: `still the placeholder ${value}; replace it` }] : []
  if (isObject(value)) return Object.entries(value).flatMap(([key, v]) => findPlaceholders(v, [...path, key]))
  return []
}

/** Rewrites a decoding problem so it says where to set the value. Secret values are never echoed. */
const explain = (problem: ConfigIssue, input: Json, sources: ReadonlyArray<ConfigSource>): ConfigIssue => {
  const key = problem.path.join(".")
  const union = UNION_TYPES[key]
  // A problem at the union itself (not at one of its fields) is one of an unknown or missing type.
  if (union !== undefined) {
    const type = getIn(input, [...problem.path, "type"])
    return {
      path: [...problem.path, "type"],
      message: `must be one of ${union.join(", ")}${typeof type === "string" ? ` (got ${JSON.stringify(type)})` : ""}`,
    }
  }
  const setting = settingAt(problem.path)
  if (setting === undefined) return problem
  const missing = problem.message === "Missing key"
  if (setting.secret) {
    return {
      path: problem.path,
      message: missing
        ? `missing: set the environment variable ${setting.env} (secrets are never read from flags)`
        : `invalid (value not shown): set the environment variable ${setting.env} to a non-empty string`,
    }
  }
  if (missing) {
    const ways = [...(setting.flag === undefined ? [] : [`--${setting.flag}`]), setting.env]
    return { path: problem.path, message: `missing: set it in the config file, or with ${ways.join(" or ")}` }
  }
  const source = sources.find((s) => s.setting === key)
  return source === undefined ? problem : { ...problem, message: `${problem.message} (from ${source.from})` }
}

/**
 * Loads the configuration: the file (YAML or JSON), then environment variables, then flags, each
 * overriding the one before, then the setup's defaults for whatever is still unset. Fails with
 * {@link ConfigError} listing every problem, or {@link UsageError} when the file is missing or
 * unreadable.
 *
 * @example
 * ```ts
 * const { config, warnings } = yield* loadConfig({ env: process.env, cwd: process.cwd(), flags: { instance: "dev12345" } })
 * ```
 */
export const loadConfig = Effect.fn("loadConfig")(function* (options: LoadConfigOptions) {
  const warnings: Array<string> = []
  const sources: Array<ConfigSource> = []
  const file = yield* findFile(options, warnings)
  const fileData: Json = file === undefined ? {} : yield* readConfigFile(file)
  const input: Json = structuredClone(fileData)
  const fileName = file === undefined ? "" : basename(file)

  for (const setting of SETTINGS) {
    const fromFile = getIn(fileData, setting.path)
    if (fromFile === undefined) continue
    sources.push({ setting: setting.path.join("."), from: fileName })
    if (setting.secret && present(fromFile))
      warnings.push(
        `${fileName} contains a secret at ${setting.path.join(".")}; keep secrets out of files and set ${setting.env} instead.`,
      )
  }

  const record = (setting: Setting, from: string, raw: string | boolean) => {
    setIn(input, setting.path, parseValue(setting, raw))
    const key = setting.path.join(".")
    const index = sources.findIndex((s) => s.setting === key)
    if (index >= 0) sources.splice(index, 1)
    sources.push({ setting: key, from })
  }

  const privateKeyFile = options.env[ENV.privateKeyFile]
  for (const setting of SETTINGS) {
    const value = options.env[setting.env]
    if (value !== undefined && value !== "") record(setting, setting.env, value)
    else if (
      setting.env === "SN365_ENTRA_PRIVATE_KEY" &&
      privateKeyFile !== undefined &&
      privateKeyFile !== ""
    ) {
      const pem = yield* Effect.tryPromise({
        try: () => readFile(resolve(options.cwd, privateKeyFile), "utf8"),
        catch: (cause) =>
          new UsageError({
            message: `Cannot read the private key file named by ${ENV.privateKeyFile}: ${(cause as NodeJS.ErrnoException).code ?? "unreadable"}`,
          }),
      })
      record(setting, ENV.privateKeyFile, pem)
    }
  }
  for (const setting of SETTINGS) {
    const value = setting.flag === undefined ? undefined : options.flags?.[setting.flag]
    if (value !== undefined) record(setting, `--${setting.flag}`, value)
  }

  // CLI defaults below every source: the only variant, and auth types inferred from the credentials given.
  if (input.variant === undefined) input.variant = "basic"
  const servicenowAuth = ensureObject(input, ["servicenow", "auth"])
  if (servicenowAuth.type === undefined) servicenowAuth.type = inferServiceNowAuth(servicenowAuth)
  const entraAuth = ensureObject(input, ["entra", "auth"])
  if (entraAuth.type === undefined) entraAuth.type = inferEntraAuth(entraAuth)
  ensureObject(input, ["integration"])

  // A shared environment, a flag that switches the auth type or a starter file may set fields the
  // chosen type does not use: each is dropped with a warning, not refused as an unknown key.
  for (const [side, auth, table] of [
    ["servicenow", servicenowAuth, SERVICENOW_AUTH_FIELDS],
    ["entra", entraAuth, ENTRA_AUTH_FIELDS],
  ] as const) {
    const used = table[String(auth.type)]
    if (used === undefined) continue
    for (const field of Object.keys(auth)) {
      if (used.includes(field)) continue
      const key = `${side}.auth.${field}`
      if (present(auth[field]))
        warnings.push(
          `${key} is set (${sources.find((s) => s.setting === key)?.from ?? "config"}) but ${side}.auth.type is ${String(auth.type)}, which does not use it; it is ignored.`,
        )
      delete auth[field]
    }
  }

  const placeholders = findPlaceholders(input)
  const fail = (problems: ReadonlyArray<ConfigIssue>) =>
    new ConfigError({
      problems: [
        ...problems.filter((p) => !placeholders.some((q) => q.path.join(".") === p.path.join("."))),
        ...placeholders,
      ].map((problem) => explain(problem, input, sources)),
      ...(file === undefined
        ? {
            remedy: `No config file was found (${CONFIG_FILE_NAMES.join(", ")} in ${options.cwd}); run \`sn365 init\` to write one, or pass --config.`,
          }
        : { file }),
    })
  const config = yield* decodeConfig(input).pipe(Effect.mapError((error) => fail(error.problems)))
  if (placeholders.length > 0) return yield* fail([])
  return {
    config,
    ...(file === undefined ? {} : { file }),
    warnings,
    sources,
  } satisfies LoadedConfig as LoadedConfig
})
