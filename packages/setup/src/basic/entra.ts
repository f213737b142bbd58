/**
 * Entra steps of the Basic variant: the outbound app registration (P1, P2), its service principal,
 * its client secret (P3), the wait until the secret works, and the removal of superseded secrets.
 *
 * @module
 */
import { Effect, Redacted } from "effect"
import { UnmanagedResourceConflict } from "../Errors.ts"
import { type StepPlan, secretChange, set } from "../internal/step.ts"
import { MANAGED_TAG, recordedKeyId } from "../Names.ts"
import { SECRET_HINT_LENGTH, SIGN_IN_AUDIENCE_SINGLE_TENANT } from "../vendor.ts"
import type { BasicStep } from "./steps.ts"

/** A secret is renewed when it expires within this many days (or half its lifetime, if shorter). */
export const SECRET_RENEWAL_DAYS = 30

const DAY_MS = 86_400_000

/**
 * How long before its expiry a secret is renewed: 30 days, or half the configured lifetime when
 * that is shorter — otherwise a lifetime under 30 days would renew the secret on every run.
 */
export const renewalWindowMs = (env: Parameters<BasicStep["plan"]>[1]): number =>
  Math.min(SECRET_RENEWAL_DAYS, env.config.integration.secretLifetimeDays / 2) * DAY_MS

/** The secrets sn365 added to the app (recognised by display name). */
export const managedSecrets = (observed: Parameters<BasicStep["plan"]>[0], displayName: string) =>
  (observed.app?.passwordCredentials ?? []).filter((credential) => credential.displayName === displayName)

/**
 * The managed secret ServiceNow holds (by the keyId recorded on the provider), if it is still good
 * for `goodForMs` — by default the renewal window, which is what apply acts on; verify asks only
 * that it has not expired.
 */
export const currentSecret = (
  observed: Parameters<BasicStep["plan"]>[0],
  env: Parameters<BasicStep["plan"]>[1],
  now: number,
  goodForMs: number = renewalWindowMs(env),
) => {
  const keyId = recordedKeyId(observed.outboundProvider?.comments)
  return managedSecrets(observed, env.names.secretDisplayName).find(
    (credential) => credential.keyId?.toLowerCase() === keyId && goodFor(credential, now, goodForMs),
  )
}

/** Whether a credential is still good `ms` from `now` (one without an end never expires). */
const goodFor = (credential: { readonly endDateTime?: string | null }, now: number, ms: number): boolean =>
  credential.endDateTime === undefined ||
  credential.endDateTime === null ||
  Date.parse(credential.endDateTime) > now + ms

/**
 * The managed secret whose text the secret store holds, for when ServiceNow holds no current one
 * (callers ask {@link currentSecret} first): a run that generated it failed before handing it over
 * (a replication wait that ran out, a manual step not confirmed yet). Found by its `hint`, the
 * newest match still good for the renewal window; handing it over, not a new one, keeps a re-run
 * from rotating the secret every time.
 */
export const storedSecret = (
  observed: Parameters<BasicStep["plan"]>[0],
  env: Parameters<BasicStep["plan"]>[1],
  now: number,
): { readonly keyId: string; readonly secretText: Redacted.Redacted<string> } | undefined => {
  const text = observed.storedEntraSecret
  if (text === undefined) return undefined
  const hint = Redacted.value(text).slice(0, SECRET_HINT_LENGTH)
  const newest = managedSecrets(observed, env.names.secretDisplayName)
    .filter(
      (credential) =>
        credential.hint === hint &&
        typeof credential.keyId === "string" &&
        goodFor(credential, now, renewalWindowMs(env)),
    )
    .sort((a, b) => Date.parse(b.startDateTime ?? "") - Date.parse(a.startDateTime ?? ""))[0]
  return newest === undefined ? undefined : { keyId: newest.keyId as string, secretText: text }
}

/** The app's tags after apply: whatever it carries (sn365's marks included) plus sn365's own. */
export const appTagsOf = (
  app: { readonly tags?: ReadonlyArray<string> | undefined } | undefined,
  env: Parameters<BasicStep["plan"]>[1],
): Array<string> => [...new Set([...(app?.tags ?? []), ...env.names.appTags])]

export const entraApp: BasicStep = {
  id: "entra.app",
  title: "App registration (outbound)",
  owner: "entra",
  secrets: ["entraClientSecret"],
  dependsOn: [],
  key: (env) => env.names.appUniqueName,
  plan: (observed, env): StepPlan => {
    const { names } = env
    const app = observed.app
    const desired = {
      displayName: names.appDisplayName,
      signInAudience: SIGN_IN_AUDIENCE_SINGLE_TENANT,
      "web.redirectUris": names.redirectUrl,
      tags: names.appTags.join(","),
    }
    if (app === undefined)
      return { action: "create", changes: Object.entries(desired).map(([f, v]) => set(f, v)) }
    if (!(app.tags ?? []).includes(MANAGED_TAG)) {
      return {
        action: "blocked",
        changes: [],
        reason: "exists without the sn365:managed tag",
        blocker: new UnmanagedResourceConflict({
          resource: "Entra application",
          key: names.appUniqueName,
          remedy: `Set integration.prefix to another value, or add the tag '${MANAGED_TAG}' to the application if sn365 should manage it.`,
        }),
      }
    }
    const current = {
      displayName: app.displayName ?? "",
      signInAudience: app.signInAudience ?? "",
      "web.redirectUris": (app.web?.redirectUris ?? []).join(","),
      tags: names.appTags.filter((tag) => (app.tags ?? []).includes(tag)).join(","),
    }
    const changes = Object.entries(desired).flatMap(([field, to]) =>
      current[field as keyof typeof current] === to
        ? []
        : [{ field, from: current[field as keyof typeof current], to }],
    )
    return { action: changes.length === 0 ? "keep" : "update", changes }
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      if (plan.action === "keep" && observed.app !== undefined) {
        outputs.app = { id: observed.app.id, appId: observed.app.appId }
        return { outcome: "kept", detail: `appId ${observed.app.appId}` }
      }
      const { names } = env
      const { application, created } = yield* env.apps.upsert(names.appUniqueName, {
        displayName: names.appDisplayName,
        signInAudience: SIGN_IN_AUDIENCE_SINGLE_TENANT,
        web: { redirectUris: [names.redirectUrl] },
        tags: appTagsOf(observed.app, env),
        notes: `${names.marker}. Outbound app of the Microsoft 365 support integration for ${names.instanceOrigin}.`,
      })
      outputs.app = { id: application.id, appId: application.appId }
      return { outcome: created ? "created" : "updated", detail: `appId ${application.appId}` }
    }),
  destroy: (observed, env) =>
    observed.app === undefined || !(observed.app.tags ?? []).includes(MANAGED_TAG)
      ? Effect.succeed({ outcome: "absent" })
      : env.apps
          .delete(observed.app.id)
          .pipe(Effect.as({ outcome: "deleted", detail: `appId ${observed.app.appId}` })),
}

export const entraServicePrincipal: BasicStep = {
  id: "entra.servicePrincipal",
  title: "Service principal",
  owner: "entra",
  dependsOn: ["entra.app"],
  key: (env, observed) => observed.app?.appId ?? `(app ${env.names.appUniqueName})`,
  plan: (observed) =>
    observed.servicePrincipal === undefined
      ? { action: "create", changes: [set("appId", observed.app?.appId ?? "(new app)")] }
      : { action: "keep", changes: [] },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      if (plan.action === "keep" && observed.servicePrincipal !== undefined) {
        outputs.servicePrincipalId = observed.servicePrincipal.id
        return { outcome: "kept" }
      }
      const appId = outputs.app?.appId as string
      // Observation found none: create it without looking again.
      const { servicePrincipal, created } = yield* env.apps.ensureServicePrincipal(appId, {
        knownAbsent: true,
      })
      outputs.servicePrincipalId = servicePrincipal.id
      return { outcome: created ? "created" : "kept", detail: servicePrincipal.id }
    }),
  destroy: (observed, env) =>
    observed.servicePrincipal === undefined || !(observed.app?.tags ?? []).includes(MANAGED_TAG)
      ? Effect.succeed({ outcome: "absent" })
      : env.apps.deleteServicePrincipal(observed.servicePrincipal.id).pipe(Effect.as({ outcome: "deleted" })),
}

export const entraSecret: BasicStep = {
  id: "entra.secret",
  title: "Client secret",
  owner: "entra",
  dependsOn: ["entra.app"],
  key: (env) => env.names.secretDisplayName,
  plan: (observed, env) => {
    const current = currentSecret(observed, env, Date.now())
    if (current !== undefined) return { action: "keep", changes: [] }
    if (storedSecret(observed, env, Date.now()) !== undefined)
      return {
        action: "keep",
        changes: [],
        reason: "an earlier run generated it and the secret store keeps it; ServiceNow gets it now",
      }
    const reason =
      observed.app === undefined
        ? undefined
        : managedSecrets(observed, env.names.secretDisplayName).length === 0
          ? "no sn365 secret on the app"
          : "ServiceNow does not hold a current sn365 secret"
    return {
      action: "create",
      changes: [
        secretChange("secretText"),
        set("lifetime", `${env.config.integration.secretLifetimeDays} days`),
      ],
      ...(reason === undefined ? {} : { reason }),
    }
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      const current = currentSecret(observed, env, Date.now())
      if (plan.action === "keep" && current !== undefined) {
        outputs.secret = { keyId: current.keyId as string }
        return { outcome: "kept", detail: `keyId ${current.keyId}` }
      }
      const stored = storedSecret(observed, env, Date.now())
      if (plan.action === "keep" && stored !== undefined) {
        outputs.secret = stored
        return { outcome: "kept", detail: `keyId ${stored.keyId}, from the secret store` }
      }
      const app = outputs.app as { id: string }
      const endDateTime = new Date(
        Date.now() + env.config.integration.secretLifetimeDays * DAY_MS,
      ).toISOString()
      const added = yield* env.apps.addPassword(app.id, {
        displayName: env.names.secretDisplayName,
        endDateTime,
      })
      yield* env.secrets.put("entraClientSecret", added.secretText)
      outputs.secret = { keyId: added.keyId, secretText: added.secretText }
      return {
        outcome: "created",
        detail: `keyId ${added.keyId}, expires ${added.endDateTime ?? endDateTime}`,
      }
    }),
}

export const entraSecretReady: BasicStep = {
  id: "entra.secretReady",
  title: "Client secret usable",
  owner: "entra",
  dependsOn: ["entra.secret", "entra.servicePrincipal"],
  key: (env) => env.names.secretDisplayName,
  plan: (observed, env) =>
    currentSecret(observed, env, Date.now()) === undefined
      ? {
          action: "create",
          changes: [],
          reason: `${storedSecret(observed, env, Date.now()) === undefined ? "a new" : "the kept"} secret is confirmed with a token request before ServiceNow gets it`,
        }
      : { action: "keep", changes: [] },
  apply: (_observed, _plan, env, outputs) =>
    Effect.gen(function* () {
      const secret = outputs.secret
      if (secret?.secretText === undefined) return { outcome: "kept" }
      yield* env.apps.confirmSecret({
        tenant: env.config.entra.tenant,
        appId: (outputs.app as { appId: string }).appId,
        secret: secret.secretText,
      })
      return { outcome: "checked", detail: "token issued with the new secret" }
    }),
}

export const entraStaleSecrets: BasicStep = {
  id: "entra.staleSecrets",
  title: "Superseded client secrets",
  owner: "entra",
  dependsOn: ["servicenow.outboundProviderSecret"],
  key: (env) => env.names.secretDisplayName,
  plan: (observed, env) => {
    const kept =
      currentSecret(observed, env, Date.now())?.keyId ?? storedSecret(observed, env, Date.now())?.keyId
    const stale = managedSecrets(observed, env.names.secretDisplayName).filter((s) => s.keyId !== kept)
    return stale.length === 0
      ? { action: "keep", changes: [] }
      : {
          action: "delete",
          changes: stale.map((s) => ({ field: "keyId", from: s.keyId ?? "", to: "(removed)" })),
          reason: "secrets sn365 added that ServiceNow no longer uses",
        }
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      if (plan.action === "keep") return { outcome: "kept" }
      const keep = outputs.secret?.keyId
      const stale = managedSecrets(observed, env.names.secretDisplayName).filter((s) => s.keyId !== keep)
      const app = outputs.app as { id: string }
      yield* Effect.forEach(stale, (s) => env.apps.removePassword(app.id, s.keyId as string), {
        concurrency: 4,
      })
      return { outcome: "deleted", detail: `${stale.length} removed` }
    }),
}
