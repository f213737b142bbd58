/**
 * `sn365 init`: a commented starter config in YAML. Values not given as flags are `<placeholders>`
 * that fail validation until they are filled in; secrets are never written, only the environment
 * variables that carry them.
 *
 * @module
 */
import { writeFile } from "node:fs/promises"
import { resolve } from "node:path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ExitCode, Exit as ExitWith, UsageError } from "./Errors.ts"
import { Io } from "./Io.ts"

/** Values to put in the starter config instead of placeholders. */
export interface StarterValues {
  readonly instance?: string | undefined
  readonly servicenowUser?: string | undefined
  readonly tenant?: string | undefined
  readonly entraAuth?: "clientSecret" | "certificate" | "deviceCode" | undefined
  readonly entraClientId?: string | undefined
  readonly adminEmail?: string | undefined
  readonly m365Mode?: "api" | "manual" | undefined
  /** A header comment, e.g. "for the emulator at …". */
  readonly note?: string | undefined
}

// JSON strings are valid YAML scalars, so any value is written safely quoted.
const scalar = (value: string | undefined, placeholder: string) => JSON.stringify(value ?? placeholder)

/**
 * The starter config. Every line a person may need to change has a comment saying what it is
 * and which flag or environment variable overrides it.
 *
 * @example
 * ```ts
 * await writeFile("sn365.config.yaml", starterConfig({ instance: "dev12345" }), { flag: "wx" })
 * ```
 */
export const starterConfig = (values: StarterValues = {}): string => {
  const entraAuth = values.entraAuth ?? "clientSecret"
  const entraSecret =
    entraAuth === "clientSecret"
      ? ["    # clientSecret: never here; set SN365_ENTRA_CLIENT_SECRET"]
      : entraAuth === "certificate"
        ? [
            `    thumbprint: "<certificate thumbprint>"   # --entra-thumbprint, SN365_ENTRA_THUMBPRINT`,
            "    # privateKey: never here; set SN365_ENTRA_PRIVATE_KEY (PEM) or SN365_ENTRA_PRIVATE_KEY_FILE",
          ]
        : ["    # An administrator signs in with a device code shown on the terminal."]
  return [
    "# sn365 configuration: the Microsoft 365 support integration with ServiceNow.",
    ...(values.note === undefined ? [] : [`# ${values.note}`]),
    "#",
    "# Replace every <placeholder>. Precedence, highest first: command-line flags, environment",
    "# variables, this file, defaults. Secrets are never read from flags, and do not belong in this",
    "# file: set them in the environment (SN365_SERVICENOW_PASSWORD, SN365_ENTRA_CLIENT_SECRET...).",
    "# Check it with: sn365 plan",
    "variant: basic",
    "",
    "servicenow:",
    "  # Instance name (dev12345 means https://dev12345.service-now.com) or an https origin.",
    `  instance: ${scalar(values.instance, "<instance>")}   # --instance, SN365_INSTANCE`,
    "  auth:",
    "    # basic | oauthPassword | oauthClientCredentials | bearer   (--servicenow-auth, SN365_SERVICENOW_AUTH)",
    "    type: basic",
    `    username: ${scalar(values.servicenowUser, "<admin user name>")}   # --servicenow-user, SN365_SERVICENOW_USERNAME`,
    "    # password: never here; set SN365_SERVICENOW_PASSWORD",
    "",
    "entra:",
    "  # Tenant id (GUID) or domain such as contoso.onmicrosoft.com.",
    `  tenant: ${scalar(values.tenant, "<tenant>")}   # --tenant, SN365_TENANT`,
    "  auth:",
    "    # clientSecret | certificate | deviceCode   (--entra-auth, SN365_ENTRA_AUTH)",
    `    type: ${entraAuth}`,
    "    # The application (client) id sn365 signs in with: it needs Graph Application.ReadWrite.All",
    "    # (or .OwnedBy) to register the outbound app.",
    `    clientId: ${scalar(values.entraClientId, "<application (client) id>")}   # --entra-client-id, SN365_ENTRA_CLIENT_ID`,
    ...entraSecret,
    "",
    "microsoft365:",
    "  # api: fill the admin-center form through its modeled API (Microsoft retired the service on",
    "  # 2025-05-30; the API is served by the sn365 emulator). manual: sn365 shows the values and",
    "  # waits while an administrator enters them.   (--m365-mode, SN365_M365_MODE)",
    `  mode: ${values.m365Mode ?? "api"}`,
    "",
    "integration:",
    "  # Prefix of every object sn365 creates; how it finds them again.   (--prefix, SN365_PREFIX)",
    "  prefix: sn365",
    "  # Microsoft 365 admin contacted when support cases are opened.   (--admin-email, SN365_ADMIN_EMAIL)",
    `  m365AdminEmail: ${scalar(values.adminEmail, "<admin@contoso.onmicrosoft.com>")}`,
    "  # Repository ID shown in the wizard and the admin center. Default: the instance name.",
    "  # repositoryId: dev12345",
    "  ssoWithMicrosoft365: false",
    "  # Keep true while testing so Microsoft support does not contact you.",
    "  testEnvironment: true",
    "  # Integration user (default <prefix>_m365_integration).",
    "  # integrationUser: sn365_m365_integration",
    "  secretLifetimeDays: 180",
    "  # Seconds; must not exceed inboundRefreshTokenLifespan.",
    "  refreshTokenExpiry: 864000",
    "  inboundRefreshTokenLifespan: 8640000",
    "  # Let sn365 open oauth_entity(_profile) to cross-scope reads if the app is refused.   (--fix-cross-scope)",
    "  fixCrossScopeAccess: false",
    "",
    "# App roles to grant (step R1), by user name.",
    "roles:",
    "  insightsUsers: []",
    "  administrators: []",
    "",
  ].join("\n")
}

/** `sn365 init`: writes the starter config; refuses to overwrite without `--force`. */
export const runInit = (input: {
  readonly output: string
  readonly force: boolean
  readonly instance: Option.Option<string>
  readonly tenant: Option.Option<string>
  readonly servicenowUser: Option.Option<string>
  readonly entraClientId: Option.Option<string>
  readonly entraAuth: Option.Option<NonNullable<StarterValues["entraAuth"]>>
  readonly adminEmail: Option.Option<string>
  readonly m365Mode: Option.Option<NonNullable<StarterValues["m365Mode"]>>
}) =>
  Effect.gen(function* () {
    const io = yield* Io
    const path = resolve(io.cwd, input.output)
    // The starter is YAML, comments and all: under a .json name the config loader would refuse it.
    const written = /\.ya?ml$/i.test(path)
      ? Effect.void
      : Effect.fail(
          new UsageError({
            message: `${path}: sn365 init writes YAML (with comments); nothing was written.`,
            remedy: "Name the file .yaml or .yml, e.g. --output sn365.config.yaml.",
          }),
        )
    const text = starterConfig({
      instance: Option.getOrUndefined(input.instance),
      tenant: Option.getOrUndefined(input.tenant),
      servicenowUser: Option.getOrUndefined(input.servicenowUser),
      entraClientId: Option.getOrUndefined(input.entraClientId),
      entraAuth: Option.getOrUndefined(input.entraAuth),
      adminEmail: Option.getOrUndefined(input.adminEmail),
      m365Mode: Option.getOrUndefined(input.m365Mode),
    })
    yield* Effect.andThen(
      written,
      Effect.tryPromise({
        try: () => writeFile(path, text, { flag: input.force ? "w" : "wx" }),
        catch: (cause) =>
          (cause as NodeJS.ErrnoException).code === "EEXIST"
            ? new UsageError({
                message: `${path} already exists; nothing was written.`,
                remedy: "Use --force to overwrite it, or --output to write another file.",
              })
            : new UsageError({
                message: `Cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
              }),
      }),
    ).pipe(
      Effect.catchTag("UsageError", (error) =>
        Effect.gen(function* () {
          io.stderr(
            `Error: ${error.message}\n${error.remedy === undefined ? "" : `Remedy: ${error.remedy}\n`}`,
          )
          return yield* new ExitWith({ code: ExitCode.Usage })
        }),
      ),
    )
    io.stdout(
      `Wrote ${path}. Replace every <placeholder>, set the secrets in the environment (SN365_SERVICENOW_PASSWORD, SN365_ENTRA_CLIENT_SECRET…), then run: sn365 plan\n`,
    )
  })
