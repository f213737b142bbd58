/**
 * Where the scoped app keeps its wizard values. **Modeled**: Microsoft never documented the app's
 * storage (procedure §12 Q5), so sn365 uses a default mapping — one `sys_properties` record per
 * wizard value, named `x_mioms_m365_assis.<key>` (the contract in `specs/servicenow/app.yaml`,
 * which the emulator implements) — that a configuration can override per key (`appStorage`), and
 * `discover` lists what a real instance actually has.
 *
 * @module
 */
import { Query, type ServiceNowClient } from "@sn365/servicenow"
import { Effect, Stream } from "effect"
import { APP_SCOPE } from "./vendor.ts"

/** The wizard values sn365 writes (W3–W8, W10) and the one it reads (W9 Endpoint). */
export type WizardKey =
  | "consent"
  | "outboundOAuthProfile"
  | "inboundOAuthClient"
  | "externalOidc"
  | "integrationUser"
  | "repositoryId"
  | "sso"
  | "m365AdminEmail"
  | "testEnvironment"
  | "setupComplete"
  | "endpoint"

/** The default (modeled) property name of each wizard value. */
export const DEFAULT_APP_PROPERTIES: Readonly<Record<WizardKey, string>> = {
  consent: `${APP_SCOPE}.consent`,
  outboundOAuthProfile: `${APP_SCOPE}.outbound_oauth_profile`,
  inboundOAuthClient: `${APP_SCOPE}.inbound_oauth_client`,
  externalOidc: `${APP_SCOPE}.external_oidc`,
  integrationUser: `${APP_SCOPE}.integration_user`,
  repositoryId: `${APP_SCOPE}.repository_id`,
  sso: `${APP_SCOPE}.sso`,
  m365AdminEmail: `${APP_SCOPE}.m365_admin_email`,
  testEnvironment: `${APP_SCOPE}.test_environment`,
  setupComplete: `${APP_SCOPE}.setup_complete`,
  endpoint: `${APP_SCOPE}.endpoint`,
}

/** Wizard keys sn365 writes; `endpoint` is displayed by the app and only read. */
export const WRITABLE_WIZARD_KEYS: ReadonlyArray<WizardKey> = [
  "consent",
  "outboundOAuthProfile",
  "inboundOAuthClient",
  "externalOidc",
  "integrationUser",
  "repositoryId",
  "sso",
  "m365AdminEmail",
  "testEnvironment",
  "setupComplete",
]

/** Wizard values that are `true`/`false` flags; unset, they read `false`. */
export const WIZARD_FLAG_KEYS: ReadonlyArray<WizardKey> = [
  "consent",
  "externalOidc",
  "sso",
  "testEnvironment",
  "setupComplete",
]

/** What the storage holds now: each key's value and the record that holds it, when present. */
export type WizardSnapshot = Readonly<
  Partial<Record<WizardKey, { readonly value: string; readonly sysId: string | undefined }>>
>

/** The port: read every wizard value, write some. */
export interface AppStorage {
  readonly read: Effect.Effect<WizardSnapshot, unknown>
  /** Writes `values`; `current` (from `read`) saves a lookup per value. */
  readonly write: (
    values: Partial<Record<WizardKey, string>>,
    current: WizardSnapshot,
  ) => Effect.Effect<void, unknown>
}

const KNOWN_KEYS = Object.keys(DEFAULT_APP_PROPERTIES) as ReadonlyArray<WizardKey>

/** Applies configuration overrides (`{ repositoryId: "x_mioms_m365_assis.repo" }`) to the default mapping. */
export const appPropertyNames = (
  overrides: Readonly<Record<string, string>>,
): Readonly<Record<WizardKey, string>> => {
  const mapping = { ...DEFAULT_APP_PROPERTIES }
  for (const [key, name] of Object.entries(overrides)) {
    if ((KNOWN_KEYS as ReadonlyArray<string>).includes(key)) mapping[key as WizardKey] = name
  }
  return mapping
}

/** The default storage: `sys_properties`, one record per value, read in one request. */
export const propertyAppStorage = (
  sn: ServiceNowClient,
  names: Readonly<Record<WizardKey, string>> = DEFAULT_APP_PROPERTIES,
): AppStorage => {
  const properties = sn.table("sys_properties")
  const keyOf = new Map(KNOWN_KEYS.map((key) => [names[key], key]))
  return {
    read: properties
      .list({
        query: Query.make<{ name: string }>().in("name", Object.values(names)),
        fields: ["sys_id", "name", "value"],
      })
      .pipe(
        Stream.runCollect,
        Effect.map((rows) => {
          const snapshot: Partial<Record<WizardKey, { value: string; sysId: string | undefined }>> = {}
          for (const row of rows) {
            const key = keyOf.get(String(row.name))
            if (key !== undefined)
              snapshot[key] = { value: String(row.value ?? ""), sysId: String(row.sys_id) }
          }
          return snapshot
        }),
      ),
    write: (values, current) =>
      Effect.forEach(
        Object.entries(values) as Array<[WizardKey, string]>,
        ([key, value]) => {
          const sysId = current[key]?.sysId
          return sysId === undefined
            ? properties.create({ name: names[key], value, type: "string" }, { fields: ["sys_id"] })
            : properties.update(sysId, { value }, { fields: ["sys_id"] })
        },
        { concurrency: 8, discard: true },
      ),
  }
}
