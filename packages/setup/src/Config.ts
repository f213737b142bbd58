/**
 * The setup configuration: one schema, decoded once, every problem reported at once with its
 * path. Secrets decode to `Redacted` and stay that way until they are written to the wire.
 *
 * @module
 */
import { Effect, Redacted, Schema, SchemaGetter, SchemaIssue } from "effect"
import { InvalidConfig } from "./Errors.ts"
import { FORM_REFRESH_TOKEN_EXPIRY, INBOUND_REFRESH_TOKEN_LIFESPAN } from "./vendor.ts"

/** What a secret may be given as: a string (a file, the environment), or a `Redacted` one from code. */
const SecretInput = Schema.declare(
  (input: unknown): input is string | Redacted.Redacted<string> =>
    typeof input === "string" || (Redacted.isRedacted(input) && typeof Redacted.value(input) === "string"),
  { expected: "string" },
)
const Secret = SecretInput.pipe(
  Schema.decodeTo(Schema.RedactedFromValue(Schema.NonEmptyString), {
    decode: SchemaGetter.transform((input: string | Redacted.Redacted<string>) =>
      Redacted.isRedacted(input) ? Redacted.value(input) : input,
    ),
    encode: SchemaGetter.transform((text: string) => text),
  }),
)

const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"])

/** Why `value` is not a usable instance (a name such as `dev12345`, or an https origin), if it is not. */
const instanceProblem = (value: string): string | undefined => {
  if (DNS_LABEL.test(value)) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return "must be an instance name such as 'dev12345' or an https URL such as 'https://dev12345.service-now.com'"
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname)))
    return "must use https (plain http is allowed only for loopback)"
  if (url.username !== "" || url.password !== "") return "must not contain credentials; use servicenow.auth"
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "")
    return "must be the instance origin only, without a path, query or fragment"
  return undefined
}

/** A ServiceNow instance: a name (`dev12345` → `https://dev12345.service-now.com`) or a full https origin. */
export const Instance = Schema.String.check(Schema.makeFilter((value) => instanceProblem(value)))

/** An Entra tenant: a GUID or a verified domain such as `contoso.onmicrosoft.com`. */
export const Tenant = Schema.String.check(
  Schema.makeFilter((value) =>
    GUID.test(value) || DOMAIN.test(value)
      ? undefined
      : "must be a tenant GUID or a domain such as contoso.onmicrosoft.com",
  ),
)

/**
 * A union of `{ type: … }` members, whose failure to match names the types it knows instead of
 * printing every member's schema.
 */
const byType = <
  const Members extends ReadonlyArray<Schema.Struct<{ readonly type: Schema.Literal<string> }>>,
>(
  members: Members,
) =>
  Schema.Union(members).annotate({
    message: `must be an object whose type is ${members
      .map((member) => JSON.stringify(member.fields.type.literal))
      .join(", ")
      .replace(/, ([^,]*)$/, " or $1")}`,
  })

/** An Entra application (client) id. */
export const ClientId = Schema.String.check(
  Schema.isPattern(GUID, { message: "must be an application (client) id GUID" }),
)

/** How sn365 signs in to the ServiceNow instance. */
export const ServiceNowAuth = byType([
  Schema.Struct({ type: Schema.Literal("basic"), username: Schema.NonEmptyString, password: Secret }),
  Schema.Struct({
    type: Schema.Literal("oauthPassword"),
    clientId: Schema.NonEmptyString,
    clientSecret: Secret,
    username: Schema.NonEmptyString,
    password: Secret,
  }),
  Schema.Struct({
    type: Schema.Literal("oauthClientCredentials"),
    clientId: Schema.NonEmptyString,
    clientSecret: Secret,
  }),
  Schema.Struct({ type: Schema.Literal("bearer"), token: Secret }),
])

/** How sn365 signs in to Entra ID (for Microsoft Graph and the admin-center API). */
export const EntraAuth = byType([
  Schema.Struct({ type: Schema.Literal("clientSecret"), clientId: ClientId, clientSecret: Secret }),
  Schema.Struct({
    type: Schema.Literal("certificate"),
    clientId: ClientId,
    thumbprint: Schema.String.check(
      Schema.isPattern(/^[0-9a-f]{40}([0-9a-f]{24})?$/i, {
        message: "must be a SHA-1 or SHA-256 hex thumbprint",
      }),
    ),
    privateKey: Secret,
  }),
  Schema.Struct({ type: Schema.Literal("deviceCode"), clientId: ClientId }),
])

const Email = Schema.String.check(
  Schema.isPattern(/^[^\s@"<>]+@[^\s@"<>]+\.[^\s@"<>]+$/, { message: "must be an email address" }),
)

const UserName = Schema.String.check(
  Schema.isBetweenLength(1, 100, { message: "must be a ServiceNow user name (1 to 100 characters)" }),
)

const Prefix = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_-]{1,23}$/, {
    message: "must be 2 to 24 lower-case letters, digits, '-' or '_', starting with a letter",
  }),
)

/** Settings of the integration itself: the values the procedure asks an administrator to choose. */
export const IntegrationSettings = Schema.Struct({
  /** Prefix of every object sn365 creates and manages; how it finds them again. */
  prefix: withDefault(Prefix, "sn365"),
  /** Repository ID (wizard W7, form M2). Default: the instance name. */
  repositoryId: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 100))),
  /** Microsoft 365 admin contacted when support cases are opened (wizard W8). */
  m365AdminEmail: Email,
  /** Whether the instance uses SSO with the Microsoft 365 tenant (wizard W8). */
  ssoWithMicrosoft365: withDefault(Schema.Boolean, false),
  /** Keep on while testing so Microsoft support does not contact you (wizard W8). */
  testEnvironment: withDefault(Schema.Boolean, true),
  /** `user_name` of the integration user (step P7). Default `<prefix>_m365_integration`. */
  integrationUser: Schema.optionalKey(UserName),
  /** Lifetime of the Entra client secret, in days (tenant policies may cap it). */
  secretLifetimeDays: withDefault(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 730 })), 180),
  /** "Refresh token expiry" entered in the admin-center form, seconds. */
  refreshTokenExpiry: withDefault(
    Schema.Int.check(Schema.isBetween({ minimum: 60, maximum: 31_536_000 })),
    FORM_REFRESH_TOKEN_EXPIRY,
  ),
  /** `refresh_token_lifespan` of the inbound OAuth endpoint, seconds. */
  inboundRefreshTokenLifespan: withDefault(
    Schema.Int.check(Schema.isBetween({ minimum: 60, maximum: 315_360_000 })),
    INBOUND_REFRESH_TOKEN_LIFESPAN,
  ),
  /** Opt in to changing `oauth_entity`/`oauth_entity_profile` Application Access when cross-scope reads are refused. */
  fixCrossScopeAccess: withDefault(Schema.Boolean, false),
}).check(
  Schema.makeFilter((s) =>
    s.refreshTokenExpiry <= s.inboundRefreshTokenLifespan
      ? undefined
      : {
          path: ["refreshTokenExpiry"],
          issue: `must not exceed inboundRefreshTokenLifespan (${s.inboundRefreshTokenLifespan}); Microsoft would keep using an expired refresh token`,
        },
  ),
)

/** The Basic authentication variant (procedure §4): the only one implemented so far. */
export const BasicConfig = Schema.Struct({
  variant: Schema.Literal("basic"),
  servicenow: Schema.Struct({ instance: Instance, auth: ServiceNowAuth }),
  entra: Schema.Struct({ tenant: Tenant, auth: EntraAuth }),
  /** How the admin-center form (M1, M2) is filled: through its (modeled) API, or by an administrator. */
  microsoft365: withDefault(Schema.Struct({ mode: Schema.Literals(["api", "manual"]) }), { mode: "api" }),
  integration: IntegrationSettings,
  /** App role grants (step R1), by `user_name`. */
  roles: withDefault(
    Schema.Struct({
      insightsUsers: withDefault(Schema.Array(UserName), []),
      administrators: withDefault(Schema.Array(UserName), []),
    }),
    {},
  ),
  /** Overrides of the modeled mapping from wizard values to the app's storage (see AppStorage). */
  appStorage: withDefault(Schema.Record(Schema.String, Schema.NonEmptyString), {}),
})

/**
 * The setup configuration. A union on `variant` so that the Entra auth-token and insights-only
 * variants can be added as new members without changing this one.
 */
export const SetupConfig = Schema.Union([BasicConfig]).annotate({
  message: `must be a configuration object: variant ${JSON.stringify(BasicConfig.fields.variant.literal)}, servicenow, entra and integration`,
})

/** A decoded, valid configuration. */
export type SetupConfig = typeof SetupConfig.Type

/** The configuration as written in a file or passed from code, before decoding. */
export type SetupConfigInput = typeof SetupConfig.Encoded

// A key no schema declares gets words of ours: a misspelled key must not pass unnoticed.
const UNKNOWN_KEY = "Unknown key: check its spelling against the configuration reference"
const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => (issue._tag === "UnexpectedKey" ? UNKNOWN_KEY : SchemaIssue.defaultLeafHook(issue)),
})

/** The variants a configuration may name (one member of {@link SetupConfig} each). */
const VARIANTS: ReadonlyArray<string> = SetupConfig.members.map((member) => member.fields.variant.literal)

/** A `variant` no member has: the union's own message would print the whole schema. */
const unknownVariant = (input: unknown): InvalidConfig | undefined => {
  if (typeof input !== "object" || input === null || !("variant" in input)) return undefined
  const { variant } = input as { readonly variant: unknown }
  if (typeof variant === "string" && VARIANTS.includes(variant)) return undefined
  return new InvalidConfig({
    problems: [
      {
        path: ["variant"],
        message: `Expected ${VARIANTS.map((v) => JSON.stringify(v)).join(" or ")}, got ${JSON.stringify(variant)}`,
      },
    ],
  })
}

/**
 * Decodes and validates a configuration, reporting **every** problem at once, each with its path.
 * A key the schema does not declare is a problem too, so a misspelled one is never silently ignored.
 *
 * @example
 * ```ts
 * const config = yield* decodeConfig(JSON.parse(await readFile("sn365.config.json", "utf8")))
 * ```
 */
export const decodeConfig = (input: unknown): Effect.Effect<SetupConfig, InvalidConfig> => {
  const badVariant = unknownVariant(input)
  if (badVariant !== undefined) return Effect.fail(badVariant)
  return Schema.decodeUnknownEffect(SetupConfig)(input, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError(
      (error) =>
        new InvalidConfig({
          problems: formatter(error.issue).issues.map((issue) => ({
            path:
              issue.path?.map((segment) => String(typeof segment === "object" ? segment.key : segment)) ?? [],
            message: issue.message,
          })),
        }),
    ),
  )
}

/** The instance origin, e.g. `https://dev12345.service-now.com`. */
export const instanceOrigin = (config: SetupConfig): string =>
  DNS_LABEL.test(config.servicenow.instance)
    ? `https://${config.servicenow.instance.toLowerCase()}.service-now.com`
    : new URL(config.servicenow.instance).origin

/** The instance name: the first label of its host (`dev12345`). */
export const instanceName = (config: SetupConfig): string =>
  new URL(instanceOrigin(config)).hostname.split(".")[0] ?? config.servicenow.instance
