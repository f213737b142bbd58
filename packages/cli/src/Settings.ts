/**
 * Every configuration setting the CLI can take from outside the config file: its place in the
 * setup configuration, its environment variable, and its flag. Secrets have an environment
 * variable and never a flag, so they never appear in a shell history or a process list.
 *
 * Precedence, highest first: flags, environment variables, the config file, defaults.
 *
 * @module
 */

/** One setting that can come from a flag and/or an environment variable. */
export interface Setting {
  /** Where it goes in the setup configuration, e.g. `["servicenow", "instance"]`. */
  readonly path: ReadonlyArray<string>
  /** The environment variable. */
  readonly env: string
  /** The flag, without dashes. Secrets have none. */
  readonly flag?: string
  readonly secret: boolean
  /** Parses the raw string (booleans); strings pass through. */
  readonly type: "string" | "boolean"
  /** The values a string setting accepts, when it is a choice. */
  readonly choices?: ReadonlyArray<string>
  readonly description: string
}

const setting = (
  path: string,
  env: string,
  description: string,
  options: {
    readonly flag?: string
    readonly secret?: boolean
    readonly type?: "string" | "boolean"
    readonly choices?: ReadonlyArray<string>
  } = {},
): Setting => ({
  path: path.split("."),
  env,
  description,
  secret: options.secret ?? false,
  type: options.type ?? "string",
  ...(options.flag === undefined ? {} : { flag: options.flag }),
  ...(options.choices === undefined ? {} : { choices: options.choices }),
})

/** The settings, in the order the README documents them. */
export const SETTINGS: ReadonlyArray<Setting> = [
  setting("servicenow.instance", "SN365_INSTANCE", "ServiceNow instance name (dev12345) or https origin", {
    flag: "instance",
  }),
  setting(
    "servicenow.auth.type",
    "SN365_SERVICENOW_AUTH",
    "How sn365 signs in to ServiceNow (default: inferred from the credentials given)",
    { flag: "servicenow-auth", choices: ["basic", "oauthPassword", "oauthClientCredentials", "bearer"] },
  ),
  setting("servicenow.auth.username", "SN365_SERVICENOW_USERNAME", "ServiceNow administrator user name", {
    flag: "servicenow-user",
  }),
  setting(
    "servicenow.auth.clientId",
    "SN365_SERVICENOW_CLIENT_ID",
    "Client id of a ServiceNow OAuth application sn365 signs in with",
    { flag: "servicenow-client-id" },
  ),
  setting("servicenow.auth.password", "SN365_SERVICENOW_PASSWORD", "ServiceNow administrator password", {
    secret: true,
  }),
  setting(
    "servicenow.auth.clientSecret",
    "SN365_SERVICENOW_CLIENT_SECRET",
    "Client secret of the ServiceNow OAuth application sn365 signs in with",
    { secret: true },
  ),
  setting("servicenow.auth.token", "SN365_SERVICENOW_TOKEN", "A ServiceNow bearer token", { secret: true }),
  setting("entra.tenant", "SN365_TENANT", "Entra tenant id (GUID) or domain", { flag: "tenant" }),
  setting(
    "entra.auth.type",
    "SN365_ENTRA_AUTH",
    "How sn365 signs in to Entra (default: clientSecret or certificate when given, else deviceCode)",
    { flag: "entra-auth", choices: ["clientSecret", "certificate", "deviceCode"] },
  ),
  setting(
    "entra.auth.clientId",
    "SN365_ENTRA_CLIENT_ID",
    "Application (client) id sn365 signs in to Entra with",
    {
      flag: "entra-client-id",
    },
  ),
  setting(
    "entra.auth.thumbprint",
    "SN365_ENTRA_THUMBPRINT",
    "Thumbprint of the certificate sn365 signs in with",
    {
      flag: "entra-thumbprint",
    },
  ),
  setting(
    "entra.auth.clientSecret",
    "SN365_ENTRA_CLIENT_SECRET",
    "Client secret sn365 signs in to Entra with",
    {
      secret: true,
    },
  ),
  setting(
    "entra.auth.privateKey",
    "SN365_ENTRA_PRIVATE_KEY",
    "PEM private key of the certificate (or SN365_ENTRA_PRIVATE_KEY_FILE)",
    { secret: true },
  ),
  setting(
    "microsoft365.mode",
    "SN365_M365_MODE",
    "How the admin-center form is filled: through its modeled API, or by an administrator",
    { flag: "m365-mode", choices: ["api", "manual"] },
  ),
  setting(
    "integration.m365AdminEmail",
    "SN365_ADMIN_EMAIL",
    "Microsoft 365 admin contacted when support cases are opened",
    { flag: "admin-email" },
  ),
  setting("integration.prefix", "SN365_PREFIX", "Prefix of every object sn365 creates (default sn365)", {
    flag: "prefix",
  }),
  setting("integration.repositoryId", "SN365_REPOSITORY_ID", "Repository ID (default: the instance name)", {
    flag: "repository-id",
  }),
  setting(
    "integration.fixCrossScopeAccess",
    "SN365_FIX_CROSS_SCOPE",
    "Let sn365 open oauth_entity and oauth_entity_profile to cross-scope reads when refused",
    { flag: "fix-cross-scope", type: "boolean" },
  ),
]

/** Environment variables that are not configuration settings. */
export const ENV = {
  /** Path of the config file (same as `--config`). */
  config: "SN365_CONFIG",
  /** A file holding the PEM private key, instead of `SN365_ENTRA_PRIVATE_KEY`. */
  privateKeyFile: "SN365_ENTRA_PRIVATE_KEY_FILE",
  /** Origin of a running emulator; every request goes there (same as `--emulator`). */
  emulatorUrl: "SN365_EMULATOR_URL",
  /** Where generated secrets are kept (same as `--secrets-file`). */
  secretsFile: "SN365_SECRETS_FILE",
} as const

/** Config file names looked up in the current directory, in this order. */
export const CONFIG_FILE_NAMES = ["sn365.config.json", "sn365.config.yaml", "sn365.config.yml"] as const

/** The setting at `path`, if there is one. */
export const settingAt = (path: ReadonlyArray<string>): Setting | undefined =>
  SETTINGS.find((s) => s.path.length === path.length && s.path.every((segment, i) => segment === path[i]))
