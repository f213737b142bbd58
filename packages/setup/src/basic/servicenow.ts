/**
 * ServiceNow steps of the Basic variant: the outbound provider and its profile (P5), the inbound
 * OAuth endpoint (P6), the integration user and its role (P7), cross-scope access (X1), the app's
 * wizard values (W3–W8, W10) and the app role grants (R1).
 *
 * @module
 */
import { BatchItem, Query } from "@sn365/servicenow"
import { Effect } from "effect"
import { WIZARD_FLAG_KEYS, WRITABLE_WIZARD_KEYS } from "../AppStorage.ts"
import { CrossScopeAccessDenied, UnmanagedResourceConflict } from "../Errors.ts"
import { createOrUpdate, type StepPlan, secretChange, set } from "../internal/step.ts"
import { inboundComments, isMarked, providerComments } from "../Names.ts"
import { generateClientSecret, generatePassword } from "../Secrets.ts"
import {
  APP_SCOPE,
  GRANT_CLIENT_CREDENTIALS,
  OAUTH_ENTITY_TYPE_CLIENT,
  OAUTH_ENTITY_TYPE_PROVIDER,
  ROLE_ADMINISTRATOR,
  ROLE_INCIDENT_MANAGER,
  ROLE_INSIGHTS_USER,
} from "../vendor.ts"
import { currentSecret } from "./entra.ts"
import { repositoryNeedsWrite } from "./microsoft365.ts"
import { type Observed, PROFILE_FIELDS, type Row } from "./observe.ts"
import { wizardIsOurs } from "./ownership.ts"
import type { BasicStep } from "./steps.ts"

const unmanaged = (resource: string, key: string, remedy: string): StepPlan => ({
  action: "blocked",
  changes: [],
  reason: "exists but was not created by sn365",
  blocker: new UnmanagedResourceConflict({ resource, key, remedy }),
})

const PREFIX_REMEDY = "Set integration.prefix to a value no existing record uses."

/** What is read of an `oauth_entity_profile`. */

/**
 * Deletes a record teardown has just observed. A 404 means it is gone — removed by someone else
 * since, or by this very request when the connection dropped after the instance committed it and
 * the client repeated the DELETE — which is what teardown wants.
 */
export const deleteRecord = (env: Parameters<BasicStep["plan"]>[1], table: string, sysId: string) =>
  env.sn
    .table(table)
    .delete(sysId)
    .pipe(
      Effect.catchTag("NotFound", () => Effect.void),
      Effect.as({ outcome: "deleted" as const }),
    )

/** The provider's desired fields (without its secret, which is written by its own step). */
const providerFields = (env: Parameters<BasicStep["plan"]>[1], appId: string) => ({
  name: env.names.outboundProviderName,
  type: OAUTH_ENTITY_TYPE_PROVIDER,
  client_id: appId,
  default_grant_type: GRANT_CLIENT_CREDENTIALS,
  token_url: env.names.tokenUrl,
  redirect_url: env.names.redirectUrl,
})

export const outboundProvider: BasicStep = {
  id: "servicenow.outboundProvider",
  title: "Outbound OAuth provider",
  owner: "servicenow",
  dependsOn: ["entra.app"],
  key: (env) => env.names.outboundProviderName,
  plan: (observed, env) => {
    const current = observed.outboundProvider
    if (current !== undefined && !isMarked(current.comments, env.names))
      return unmanaged("OAuth provider (oauth_entity)", env.names.outboundProviderName, PREFIX_REMEDY)
    return createOrUpdate(current, providerFields(env, observed.app?.appId ?? "(app id of the new app)"))
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      const table = env.sn.table("oauth_entity")
      const fields = providerFields(env, (outputs.app as { appId: string }).appId)
      const current = observed.outboundProvider
      if (current?.sys_id !== undefined) {
        outputs.outboundProviderSysId = current.sys_id
        if (plan.action === "keep" && current.client_id === fields.client_id) return { outcome: "kept" }
        yield* table.update(current.sys_id, fields, { fields: ["sys_id"] })
        return { outcome: "updated" }
      }
      // One round trip for the provider and its profile: the batch creates the provider, then (a
      // batch runs its items in order) reads the profiles the instance made for it. The UI makes a
      // default one; over REST that is undocumented (servicenow-api §3.1), so the profile step
      // creates one when none came back.
      const [created, profiles] = yield* env.sn.batch([
        BatchItem.create("oauth_entity", { ...fields, comments: env.names.marker }, { fields: ["sys_id"] }),
        BatchItem.list("oauth_entity_profile", {
          query: Query.make<Record<string, string>>().eq("oauth_entity.name", fields.name),
          fields: PROFILE_FIELDS,
        }),
      ])
      if (created === undefined)
        return yield* Effect.die(new Error("the batch answered without the provider"))
      if (created._tag === "Failure") return yield* Effect.fail(created.error)
      const sysId = (created.result as { readonly sys_id: string }).sys_id
      outputs.outboundProviderSysId = sysId
      if (profiles?._tag === "Success")
        outputs.newProviderProfiles = (profiles.result as ReadonlyArray<Row>).filter(
          (row) => row.oauth_entity === sysId,
        )
      return { outcome: "created", detail: sysId }
    }),
  destroy: (observed, env) =>
    observed.outboundProvider?.sys_id === undefined ||
    !isMarked(observed.outboundProvider.comments, env.names)
      ? Effect.succeed({ outcome: "absent" })
      : deleteRecord(env, "oauth_entity", observed.outboundProvider.sys_id),
}

export const outboundProviderSecret: BasicStep = {
  id: "servicenow.outboundProviderSecret",
  title: "Outbound provider client secret",
  owner: "servicenow",
  dependsOn: ["servicenow.outboundProvider", "entra.secretReady"],
  key: (env) => env.names.outboundProviderName,
  plan: (observed, env) =>
    currentSecret(observed, env, Date.now()) !== undefined
      ? { action: "keep", changes: [] }
      : {
          action: observed.outboundProvider === undefined ? "create" : "update",
          changes: [secretChange("client_secret")],
        },
  apply: (_observed, _plan, env, outputs) =>
    Effect.gen(function* () {
      const secret = outputs.secret
      if (secret?.secretText === undefined) return { outcome: "kept" }
      // Encrypted fields are stored correctly only with sysparm_input_display_value=true.
      yield* env.sn
        .table("oauth_entity")
        .update(
          outputs.outboundProviderSysId as string,
          { client_secret: secret.secretText, comments: providerComments(env.names, secret.keyId) },
          { inputDisplayValue: true, fields: ["sys_id"] },
        )
      return { outcome: "updated", detail: `keyId ${secret.keyId}` }
    }),
}

export const outboundProfile: BasicStep = {
  id: "servicenow.outboundProfile",
  title: "Outbound OAuth profile",
  owner: "servicenow",
  dependsOn: ["servicenow.outboundProvider"],
  key: (env) => env.names.outboundProfileName,
  plan: (observed, env) =>
    createOrUpdate(observed.outboundProfile, {
      name: observed.outboundProfile?.name ?? env.names.outboundProfileName,
      grant_type: GRANT_CLIENT_CREDENTIALS,
      default: "true",
    }),
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      const table = env.sn.table("oauth_entity_profile")
      const provider = outputs.outboundProviderSysId as string
      // A provider created in the UI gets a default profile automatically; over REST this is not
      // documented (servicenow-api §3.1): a new provider's profiles were read with it (else now).
      const made = outputs.newProviderProfiles
      const existing =
        observed.outboundProfile ??
        (observed.outboundProvider === undefined
          ? made === undefined
            ? yield* table.first({ query: `oauth_entity=${provider}`, fields: PROFILE_FIELDS })
            : (made.find((p) => p.default === "true") ?? made[0])
          : undefined)
      if (existing?.sys_id !== undefined) {
        outputs.outboundProfileSysId = existing.sys_id
        if (plan.action === "keep") return { outcome: "kept" }
        if (existing.grant_type === GRANT_CLIENT_CREDENTIALS && existing.default === "true")
          return { outcome: "created", detail: `${existing.sys_id}, made by ServiceNow with the provider` }
        yield* table.update(
          existing.sys_id,
          { grant_type: GRANT_CLIENT_CREDENTIALS, default: "true" },
          { fields: ["sys_id"] },
        )
        return { outcome: "updated" }
      }
      const created = yield* table.create(
        {
          name: env.names.outboundProfileName,
          oauth_entity: provider,
          grant_type: GRANT_CLIENT_CREDENTIALS,
          default: "true",
        },
        { fields: ["sys_id"] },
      )
      outputs.outboundProfileSysId = created.sys_id
      return { outcome: "created", detail: created.sys_id }
    }),
  destroy: (observed, env) =>
    observed.outboundProfile?.sys_id === undefined ||
    !isMarked(observed.outboundProvider?.comments, env.names)
      ? Effect.succeed({ outcome: "absent" })
      : deleteRecord(env, "oauth_entity_profile", observed.outboundProfile.sys_id),
}

/** Whether the inbound client's secret is rotated in this run (it is never readable back). */
export const inboundSecretRotates = (observed: Observed, env: Parameters<BasicStep["plan"]>[1]) =>
  observed.inboundClient === undefined || repositoryNeedsWrite(observed, env)

export const inboundClient: BasicStep = {
  id: "servicenow.inboundClient",
  title: "Inbound OAuth endpoint",
  owner: "servicenow",
  secrets: ["inboundClientSecret"],
  dependsOn: [],
  key: (env) => env.names.inboundClientName,
  plan: (observed, env) => {
    const current = observed.inboundClient
    if (current !== undefined && !isMarked(current.comments, env.names))
      return unmanaged("OAuth API endpoint (oauth_entity)", env.names.inboundClientName, PREFIX_REMEDY)
    const base = createOrUpdate(current, {
      name: env.names.inboundClientName,
      type: OAUTH_ENTITY_TYPE_CLIENT,
      refresh_token_lifespan: String(env.config.integration.inboundRefreshTokenLifespan),
    })
    if (!inboundSecretRotates(observed, env)) return base
    return {
      action: base.action === "keep" ? "update" : base.action,
      changes: [...base.changes, secretChange("client_secret")],
      ...(current === undefined
        ? {}
        : { reason: "secret rotated: the admin-center repository must be written with it" }),
    }
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      const table = env.sn.table("oauth_entity")
      const current = observed.inboundClient
      const sysId = current?.sys_id
      const clientId = current?.client_id ?? ""
      let outcome: "updated" | "kept" = "kept"
      if (sysId === undefined) {
        // One POST: the secret sn365 chose, and the pending mark until the repository has it.
        const secret = generateClientSecret()
        const created = yield* table.create(
          {
            name: env.names.inboundClientName,
            type: OAUTH_ENTITY_TYPE_CLIENT,
            refresh_token_lifespan: String(env.config.integration.inboundRefreshTokenLifespan),
            client_secret: secret,
            comments: inboundComments(env.names, true),
          },
          { inputDisplayValue: true, fields: ["sys_id", "client_id"] },
        )
        yield* env.secrets.put("inboundClientSecret", secret)
        const newClientId = created.client_id ?? ""
        outputs.inboundClient = { sysId: created.sys_id, clientId: newClientId, secret }
        return { outcome: "created", detail: `client_id ${newClientId}` }
      } else if (plan.changes.some((c) => !c.secret)) {
        yield* table.update(
          sysId,
          { refresh_token_lifespan: String(env.config.integration.inboundRefreshTokenLifespan) },
          { fields: ["sys_id"] },
        )
        outcome = "updated"
      }
      if (!inboundSecretRotates(observed, env)) {
        outputs.inboundClient = { sysId, clientId }
        return { outcome, detail: `client_id ${clientId}` }
      }
      const secret = generateClientSecret()
      // The pending mark goes with the new secret, in one write: from here until the repository's
      // delivery is recorded (`servicenow.repositoryDelivered`), a later run knows to write it again.
      yield* table.update(
        sysId,
        { client_secret: secret, comments: inboundComments(env.names, true) },
        { inputDisplayValue: true, fields: ["sys_id"] },
      )
      yield* env.secrets.put("inboundClientSecret", secret)
      outputs.inboundClient = { sysId, clientId, secret }
      return { outcome: outcome === "kept" ? "updated" : outcome, detail: `client_id ${clientId}` }
    }),
  destroy: (observed, env) =>
    observed.inboundClient?.sys_id === undefined || !isMarked(observed.inboundClient.comments, env.names)
      ? Effect.succeed({ outcome: "absent" })
      : deleteRecord(env, "oauth_entity", observed.inboundClient.sys_id),
}

/** Whether the integration user's password is (re)set in this run (it is never readable back). */
export const passwordRotates = (observed: Observed, env: Parameters<BasicStep["plan"]>[1]) =>
  observed.user === undefined || repositoryNeedsWrite(observed, env)

const userFields = {
  first_name: "Microsoft 365",
  last_name: "Support Integration",
  web_service_access_only: "true",
  active: "true",
  locked_out: "false",
  password_needs_reset: "false",
}

export const integrationUser: BasicStep = {
  id: "servicenow.integrationUser",
  title: "Integration user",
  owner: "servicenow",
  secrets: ["integrationUserPassword"],
  // After the inbound endpoint, which marks the repository's delivery pending before any of its
  // secrets (the password included) is rotated.
  dependsOn: ["servicenow.inboundClient"],
  key: (env) => env.names.integrationUser,
  plan: (observed, env) => {
    const current = observed.user
    if (current !== undefined && !isMarked(current.title, env.names))
      return unmanaged(
        "User (sys_user)",
        env.names.integrationUser,
        "Set integration.integrationUser to a user name that does not exist yet; sn365 creates and manages that user.",
      )
    const { first_name: _f, last_name: _l, ...checked } = userFields
    const base = createOrUpdate(
      current,
      current === undefined ? { user_name: env.names.integrationUser, ...userFields } : checked,
    )
    if (!passwordRotates(observed, env)) return base
    return {
      action: base.action === "keep" ? "update" : base.action,
      changes: [...base.changes, secretChange("user_password")],
      ...(current === undefined
        ? {}
        : { reason: "password reset: the admin-center repository must be written with it" }),
    }
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      const table = env.sn.table("sys_user")
      const userName = env.names.integrationUser
      const rotate = passwordRotates(observed, env)
      const password = rotate ? generatePassword() : undefined
      if (password !== undefined) yield* env.secrets.put("integrationUserPassword", password)
      const current = observed.user
      if (current?.sys_id === undefined) {
        // One POST with input display values stores the password hashed (servicenow-api §3.5).
        const created = yield* table.create(
          { user_name: userName, ...userFields, title: env.names.marker, user_password: password },
          { inputDisplayValue: true, fields: ["sys_id"] },
        )
        outputs.user = { sysId: created.sys_id, userName, ...(password === undefined ? {} : { password }) }
        return { outcome: "created", detail: userName }
      }
      outputs.user = { sysId: current.sys_id, userName, ...(password === undefined ? {} : { password }) }
      if (plan.action === "keep") return { outcome: "kept" }
      const { first_name: _f, last_name: _l, ...checked } = userFields
      yield* table.update(
        current.sys_id,
        password === undefined ? checked : { ...checked, user_password: password },
        { inputDisplayValue: true, fields: ["sys_id"] },
      )
      return { outcome: "updated", detail: userName }
    }),
  destroy: (observed, env) =>
    observed.user?.sys_id === undefined || !isMarked(observed.user.title, env.names)
      ? Effect.succeed({ outcome: "absent" })
      : deleteRecord(env, "sys_user", observed.user.sys_id),
}

export const integrationUserRole: BasicStep = {
  id: "servicenow.integrationUserRole",
  title: `Role ${ROLE_INCIDENT_MANAGER}`,
  owner: "servicenow",
  dependsOn: ["servicenow.integrationUser"],
  key: (env) => `${env.names.integrationUser} → ${ROLE_INCIDENT_MANAGER}`,
  plan: (observed) =>
    observed.userRoleGrant === undefined
      ? { action: "create", changes: [set("role", ROLE_INCIDENT_MANAGER)] }
      : { action: "keep", changes: [] },
  apply: (observed, _plan, env, outputs) =>
    Effect.gen(function* () {
      if (observed.userRoleGrant !== undefined) return { outcome: "kept" }
      yield* env.sn.table("sys_user_has_role").create(
        {
          user: (outputs.user as { sysId: string }).sysId,
          role: observed.roleIds[ROLE_INCIDENT_MANAGER] as string,
        },
        { fields: ["sys_id"] },
      )
      return { outcome: "created" }
    }),
  destroy: (observed, env) =>
    observed.userRoleGrant === undefined || !isMarked(observed.user?.title, env.names)
      ? Effect.succeed({ outcome: "absent" })
      : deleteRecord(env, "sys_user_has_role", observed.userRoleGrant),
}

/** The tables whose Application Access refuses the app's cross-scope reads. */
export const refusedTables = (observed: Observed): ReadonlyArray<string> => [
  ...new Set([
    ...observed.crossScope
      .filter((row) => row.access !== "public" || row.read_access !== "true")
      .map((row) => row.name as string),
    ...observed.crossScopePrivileges
      .filter((row) => row.status === "denied")
      .map((row) => row.target_name as string),
  ]),
]

export const crossScope: BasicStep = {
  id: "servicenow.crossScope",
  title: "Cross-scope access to OAuth tables",
  owner: "servicenow",
  dependsOn: [],
  key: () => "oauth_entity, oauth_entity_profile",
  plan: (observed, env) => {
    const refused = refusedTables(observed)
    if (refused.length === 0) return { action: "keep", changes: [] }
    if (!env.config.integration.fixCrossScopeAccess)
      return {
        action: "blocked",
        changes: [],
        reason: `cross-scope reads refused on ${refused.join(", ")}`,
        blocker: new CrossScopeAccessDenied({ tables: refused, scope: APP_SCOPE }),
      }
    return {
      action: "update",
      changes: refused.flatMap((table) => [
        set(`${table}.access`, "public"),
        set(`${table}.read_access`, "true"),
      ]),
      reason: "integration.fixCrossScopeAccess is on",
    }
  },
  apply: (observed, plan, env) =>
    Effect.gen(function* () {
      if (plan.action === "keep") return { outcome: "kept" }
      const rows = observed.crossScope.filter((row) => row.access !== "public" || row.read_access !== "true")
      yield* Effect.forEach(
        rows,
        (row) =>
          env.sn
            .table("sys_db_object")
            .update(row.sys_id as string, { access: "public", read_access: "true" }, { fields: ["sys_id"] }),
        { concurrency: 4, discard: true },
      )
      const denied = observed.crossScopePrivileges.filter((row) => row.status === "denied")
      yield* Effect.forEach(
        denied,
        (row) =>
          env.sn
            .table("sys_scope_privilege")
            .update(row.sys_id as string, { status: "allowed" }, { fields: ["sys_id"] }),
        { concurrency: 4, discard: true },
      )
      return { outcome: "updated", detail: refusedTables(observed).join(", ") }
    }),
}

/** The wizard values sn365 writes, given the ids of the records they point at. */
const wizardValues = (env: Parameters<BasicStep["plan"]>[1], ids: { profile: string; inbound: string }) => ({
  consent: "true",
  outboundOAuthProfile: ids.profile,
  inboundOAuthClient: ids.inbound,
  externalOidc: "false",
  integrationUser: env.names.integrationUser,
  repositoryId: env.names.repositoryId,
  sso: String(env.config.integration.ssoWithMicrosoft365),
  m365AdminEmail: env.config.integration.m365AdminEmail,
  testEnvironment: String(env.config.integration.testEnvironment),
})

export const wizard: BasicStep = {
  id: "servicenow.wizard",
  title: "App wizard values",
  owner: "servicenow",
  dependsOn: [
    "servicenow.outboundProfile",
    "servicenow.inboundClient",
    "servicenow.integrationUser",
    "servicenow.crossScope",
  ],
  key: () => `${APP_SCOPE}.*`,
  plan: (observed, env) => {
    const desired = wizardValues(env, {
      profile: observed.outboundProfile?.sys_id ?? "(new profile)",
      inbound: observed.inboundClient?.sys_id ?? "(new inbound endpoint)",
    })
    const current = Object.fromEntries(Object.entries(observed.wizard).map(([k, v]) => [k, v?.value]))
    const plan = createOrUpdate(current, desired)
    return plan.action === "create" ? { ...plan, action: "update" } : plan
  },
  apply: (observed, _plan, env, outputs) =>
    Effect.gen(function* () {
      const desired = wizardValues(env, {
        profile: outputs.outboundProfileSysId as string,
        inbound: (outputs.inboundClient as { sysId: string }).sysId,
      })
      const changed = Object.fromEntries(
        Object.entries(desired).filter(
          ([key, value]) => observed.wizard[key as keyof typeof desired]?.value !== value,
        ),
      )
      if (Object.keys(changed).length === 0) return { outcome: "kept" }
      yield* env.storage.write(changed, observed.wizard)
      return { outcome: "updated", detail: `${Object.keys(changed).length} values` }
    }),
  destroy: (observed, env) =>
    Effect.gen(function* () {
      if (!wizardIsOurs(observed, env))
        return { outcome: "absent", detail: "the wizard names another setup's records: left as it is" }
      // Back to the app's unset state: flags "false", everything else empty.
      const reset = Object.fromEntries(
        WRITABLE_WIZARD_KEYS.map(
          (key) => [key, WIZARD_FLAG_KEYS.includes(key) ? "false" : ""] as const,
        ).filter(
          ([key, value]) => observed.wizard[key] !== undefined && observed.wizard[key]?.value !== value,
        ),
      )
      if (Object.keys(reset).length === 0) return { outcome: "absent" }
      yield* env.storage.write(reset, observed.wizard)
      return { outcome: "deleted", detail: "wizard values reset" }
    }),
}

export const setupComplete: BasicStep = {
  id: "servicenow.setupComplete",
  title: "Complete the integration",
  owner: "servicenow",
  dependsOn: ["servicenow.wizard", "microsoft365.basicInformation", "microsoft365.repository"],
  key: () => `${APP_SCOPE}.setup_complete`,
  plan: (observed) =>
    observed.wizard.setupComplete?.value === "true"
      ? { action: "keep", changes: [] }
      : {
          action: "update",
          changes: [
            { field: "setup_complete", from: observed.wizard.setupComplete?.value ?? "", to: "true" },
          ],
        },
  apply: (observed, plan, env) =>
    plan.action === "keep"
      ? Effect.succeed({ outcome: "kept" })
      : env.storage.write({ setupComplete: "true" }, observed.wizard).pipe(Effect.as({ outcome: "updated" })),
}

/**
 * How role grants go through the Batch API: a batch's items run one after another on the instance,
 * well within its 30 s quota at this size (servicenow-api §4.1), and a few batches at a time
 * overlap their round trips without crowding the instance's API threads. Grants are independent,
 * so their order does not matter.
 */
const GRANT_BATCHES = { chunkSize: 100, concurrency: 4 } as const

/** The grants the configuration asks for, as `{ user, role }` names. */
export const desiredGrants = (env: Parameters<BasicStep["plan"]>[1]) => [
  ...env.config.roles.insightsUsers.map((user) => ({ user, role: ROLE_INSIGHTS_USER })),
  ...env.config.roles.administrators.map((user) => ({ user, role: ROLE_ADMINISTRATOR })),
]

const missingGrants = (observed: Observed, env: Parameters<BasicStep["plan"]>[1]) =>
  desiredGrants(env).filter(({ user, role }) => {
    const userId = observed.roleUsers.get(user)
    const roleId = observed.roleIds[role]
    return userId === undefined || roleId === undefined || !observed.grantsHeld.has(`${userId}:${roleId}`)
  })

export const roleGrants: BasicStep = {
  id: "servicenow.roleGrants",
  title: "App role grants",
  owner: "servicenow",
  dependsOn: [],
  key: (env) => `${desiredGrants(env).length} grant(s)`,
  plan: (observed, env) => {
    const unknown = [...observed.roleUsers].filter(([, id]) => id === undefined).map(([name]) => name)
    if (unknown.length > 0)
      return {
        action: "blocked",
        changes: [],
        reason: `no such user: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}`,
        blocker: new UnmanagedResourceConflict({
          resource: "Users named in roles",
          key: unknown.join(", "),
          remedy: "Create these users first, or remove them from roles.insightsUsers / roles.administrators.",
        }),
      }
    const missing = missingGrants(observed, env)
    if (missing.length === 0) return { action: "keep", changes: [] }
    return {
      action: "create",
      changes: missing.slice(0, 20).map(({ user, role }) => set(user, role)),
      reason:
        missing.length > 20
          ? `${missing.length} grants to add (first 20 shown), ${desiredGrants(env).length - missing.length} already held`
          : `${desiredGrants(env).length - missing.length} already held`,
    }
  },
  apply: (observed, _plan, env) =>
    Effect.gen(function* () {
      const missing = missingGrants(observed, env)
      if (missing.length === 0) return { outcome: "kept" }
      const results = yield* env.sn.batch(
        missing.map(({ user, role }) =>
          BatchItem.create(
            "sys_user_has_role",
            { user: observed.roleUsers.get(user) as string, role: observed.roleIds[role] as string },
            { fields: ["sys_id"] },
          ),
        ),
        GRANT_BATCHES,
      )
      const failure = results.find((result) => result._tag === "Failure")
      if (failure !== undefined) return yield* Effect.fail(failure.error)
      return { outcome: "created", detail: `${missing.length} granted` }
    }),
  destroy: (observed, env) =>
    Effect.gen(function* () {
      const held = desiredGrants(env).flatMap(({ user, role }) => {
        const grant = observed.grantsHeld.get(`${observed.roleUsers.get(user)}:${observed.roleIds[role]}`)
        return grant === undefined ? [] : [grant]
      })
      if (held.length === 0) return { outcome: "absent" }
      const results = yield* env.sn.batch(
        held.map((sysId) => BatchItem.delete("sys_user_has_role", sysId)),
        GRANT_BATCHES,
      )
      // A grant already gone (404) is what teardown wants.
      const failure = results.find((result) => result._tag === "Failure" && result.error._tag !== "NotFound")
      if (failure?._tag === "Failure") return yield* Effect.fail(failure.error)
      return { outcome: "deleted", detail: `${held.length} revoked` }
    }),
}
