/**
 * The sequential baseline: the same clients sn365 uses (`@sn365/servicenow`, `@sn365/m365`),
 * driven one step after another in the procedure's order, with an existence check before every
 * write — what a straightforward script does. It does the same work as `apply` on a fresh
 * instance and tenant (preflight checks, every P/X/W/M/R step, the secret confirmation), so the
 * two are compared on equal terms.
 *
 * @module
 */
import type { Fetch } from "@sn365/core"
import { apiSupportIntegration, makeApplications, makeCredential } from "@sn365/m365"
import { makeServiceNow, Query } from "@sn365/servicenow"
import {
  DEFAULT_APP_PROPERTIES,
  decodeConfig,
  generateClientSecret,
  generatePassword,
  namesOf,
  vendor,
} from "@sn365/setup"
import { Effect, Redacted } from "effect"

const GRAPH_SCOPE = "https://graph.microsoft.com/.default"
const DAY_MS = 86_400_000

type Row = Readonly<Record<string, string | undefined>>
const any = () => Query.make<Record<string, string>>()

/** Runs the whole setup one request at a time. */
export const sequentialSetup = (input: unknown, fetch: Fetch) =>
  Effect.gen(function* () {
    const config = yield* decodeConfig(input)
    const names = namesOf(config)
    const sn = makeServiceNow({ instanceUrl: names.instanceOrigin, auth: config.servicenow.auth, fetch })
    const credential = makeCredential({ tenant: config.entra.tenant, auth: config.entra.auth, fetch })
    const apps = makeApplications({ credential, fetch })
    const support = apiSupportIntegration({ credential, fetch })
    const first = (table: string, query: Query<Record<string, string>>) =>
      sn.table(table).first({ query }) as Effect.Effect<Row | undefined, unknown>

    // Preflight: the app is installed, the setup account holds admin, both Microsoft sides answer.
    yield* first("sys_store_app", any().eq("scope", vendor.APP_SCOPE))
    const admin = yield* first("sys_user", any().eq("user_name", "admin"))
    const adminRole = yield* first("sys_user_role", any().eq("name", "admin"))
    yield* first(
      "sys_user_has_role",
      any()
        .eq("user", admin?.sys_id ?? "")
        .eq("role", adminRole?.sys_id ?? ""),
    )
    yield* credential.getToken(GRAPH_SCOPE)
    yield* support.getBasicInformation()

    // P1–P2: the app registration, then its service principal.
    yield* apps.findByUniqueName(names.appUniqueName)
    const { application } = yield* apps.upsert(names.appUniqueName, {
      displayName: names.appDisplayName,
      web: { redirectUris: [names.redirectUrl] },
      tags: names.appTags,
      notes: names.marker,
    })
    yield* apps.ensureServicePrincipal(application.appId)
    // P3: a client secret, confirmed with a token request before ServiceNow gets it.
    const secret = yield* apps.addPassword(application.id, {
      displayName: names.secretDisplayName,
      endDateTime: new Date(Date.now() + config.integration.secretLifetimeDays * DAY_MS),
    })
    yield* apps.confirmSecret({
      tenant: config.entra.tenant,
      appId: application.appId,
      secret: secret.secretText,
    })

    // X1: Application Access of the OAuth tables (already open on the seeded instance).
    for (const table of vendor.CROSS_SCOPE_TABLES) {
      const row = yield* first("sys_db_object", any().eq("name", table))
      if (row?.access !== "public" || row.read_access !== "true")
        yield* sn.table("sys_db_object").update(row?.sys_id ?? "", { access: "public", read_access: "true" })
    }

    // P5: the outbound provider, its secret and its profile.
    const oauth = sn.table("oauth_entity")
    const existingProvider = yield* first("oauth_entity", any().eq("name", names.outboundProviderName))
    const provider =
      existingProvider ??
      (yield* oauth.create(
        {
          name: names.outboundProviderName,
          type: vendor.OAUTH_ENTITY_TYPE_PROVIDER,
          client_id: application.appId,
          default_grant_type: vendor.GRANT_CLIENT_CREDENTIALS,
          token_url: names.tokenUrl,
          redirect_url: names.redirectUrl,
          comments: names.marker,
        },
        { fields: ["sys_id"] },
      ))
    yield* oauth.update(
      provider.sys_id ?? "",
      { client_secret: secret.secretText, comments: `${names.marker} keyId ${secret.keyId}` },
      { inputDisplayValue: true, fields: ["sys_id"] },
    )
    const profile = yield* first("oauth_entity_profile", any().eq("oauth_entity", provider.sys_id ?? ""))
    const profileId =
      profile?.sys_id ??
      (yield* sn.table("oauth_entity_profile").create(
        {
          name: names.outboundProfileName,
          oauth_entity: provider.sys_id ?? "",
          grant_type: vendor.GRANT_CLIENT_CREDENTIALS,
          default: "true",
        },
        { fields: ["sys_id"] },
      )).sys_id

    // P6: the inbound endpoint and the secret sn365 chooses for it.
    yield* first("oauth_entity", any().eq("name", names.inboundClientName))
    const inbound = yield* oauth.create(
      {
        name: names.inboundClientName,
        type: vendor.OAUTH_ENTITY_TYPE_CLIENT,
        refresh_token_lifespan: String(config.integration.inboundRefreshTokenLifespan),
        comments: names.marker,
      },
      { fields: ["sys_id", "client_id"] },
    )
    const inboundSecret = generateClientSecret()
    yield* oauth.update(inbound.sys_id ?? "", { client_secret: inboundSecret }, { inputDisplayValue: true })

    // P7: the integration user (password in the same POST), then its incident_manager role.
    yield* first("sys_user", any().eq("user_name", names.integrationUser))
    const password = generatePassword()
    const user = yield* sn.table("sys_user").create(
      {
        user_name: names.integrationUser,
        first_name: "Microsoft 365",
        last_name: "Support Integration",
        web_service_access_only: "true",
        title: names.marker,
        user_password: password,
      },
      { inputDisplayValue: true, fields: ["sys_id"] },
    )
    const grant = (userId: string, roleName: string) =>
      Effect.gen(function* () {
        const role = yield* first("sys_user_role", any().eq("name", roleName))
        const held = yield* first(
          "sys_user_has_role",
          any()
            .eq("user", userId)
            .eq("role", role?.sys_id ?? ""),
        )
        if (held === undefined)
          yield* sn
            .table("sys_user_has_role")
            .create({ user: userId, role: role?.sys_id ?? "" }, { fields: ["sys_id"] })
      })
    yield* grant(user.sys_id ?? "", vendor.ROLE_INCIDENT_MANAGER)

    // W3–W8: the wizard values, each property read before it is written; W9's endpoint is read.
    const wizard: Record<string, string> = {
      consent: "true",
      outboundOAuthProfile: profileId ?? "",
      inboundOAuthClient: inbound.sys_id ?? "",
      externalOidc: "false",
      integrationUser: names.integrationUser,
      repositoryId: names.repositoryId,
      sso: String(config.integration.ssoWithMicrosoft365),
      m365AdminEmail: config.integration.m365AdminEmail,
      testEnvironment: String(config.integration.testEnvironment),
    }
    const setProperty = (key: keyof typeof DEFAULT_APP_PROPERTIES, value: string) =>
      Effect.gen(function* () {
        const name = DEFAULT_APP_PROPERTIES[key]
        const row = yield* first("sys_properties", any().eq("name", name))
        if (row?.sys_id === undefined)
          yield* sn.table("sys_properties").create({ name, value, type: "string" }, { fields: ["sys_id"] })
        else yield* sn.table("sys_properties").update(row.sys_id, { value }, { fields: ["sys_id"] })
      })
    for (const [key, value] of Object.entries(wizard))
      yield* setProperty(key as keyof typeof DEFAULT_APP_PROPERTIES, value)
    const endpoint = yield* first("sys_properties", any().eq("name", DEFAULT_APP_PROPERTIES.endpoint))

    // M1, M2: the admin center's Basic information and repository.
    yield* support.getBasicInformation()
    yield* support.setBasicInformation({
      internalSupportTool: "ServiceNow",
      applicationId: application.appId,
    })
    yield* support.listRepositories()
    yield* support.createRepository({
      repository: names.repositoryId,
      endpoint: endpoint?.value ?? "",
      authenticationType: "Basic Auth",
      clientId: inbound.client_id ?? "",
      clientSecret: inboundSecret,
      refreshTokenExpiry: config.integration.refreshTokenExpiry,
      restUsername: names.integrationUser,
      restUserPassword: password,
    })

    // W10, then R1: the role grants of the configuration, one user at a time.
    yield* setProperty("setupComplete", "true")
    const grants = [
      ...config.roles.insightsUsers.map((name) => [name, vendor.ROLE_INSIGHTS_USER] as const),
      ...config.roles.administrators.map((name) => [name, vendor.ROLE_ADMINISTRATOR] as const),
    ]
    for (const [userName, roleName] of grants) {
      const target = yield* first("sys_user", any().eq("user_name", userName))
      yield* grant(target?.sys_id ?? "", roleName)
    }
    return Redacted.isRedacted(secret.secretText)
  })
