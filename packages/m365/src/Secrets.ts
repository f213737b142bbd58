/**
 * Client secrets of the applications sn365 registers: `addPassword` (the secret's text is
 * returned once, as `Redacted`), `removePassword` (orphaned or superseded secrets), and
 * `confirmSecret` — a real client-credentials token request through msal with the new secret,
 * repeated until the token service accepts it, so that no secret is handed to anything else before
 * it works (entra-graph-msal.md §2.1: 4–18 s observed, no SLA).
 *
 * @module
 */
import type { HttpError } from "@sn365/core"
import { type Duration, Effect, Redacted } from "effect"
import { makeCredential } from "./Credential.ts"
import { type M365Error, type ReplicationLag, SecretLifetimePolicy } from "./Errors.ts"
import type { MicrosoftGraphApplication } from "./generated/graph.ts"
import { errorFields } from "./internal/errorFields.ts"
import { type Graph, isNotFound, privileges } from "./internal/graph.ts"
import { credentialsBody, newSecretBody } from "./internal/shape.ts"
import { waitForReplication } from "./Replication.ts"
import {
  GRAPH_DEFAULT_SCOPE,
  GRAPH_LIFETIME_POLICY,
  GRAPH_LIFETIME_POLICY_TEXT,
  SECRET_REPLICATION_MAX_DELAY_MS,
} from "./vendor.ts"

/** A secret to add. */
export interface SecretInput {
  /** Shown in the portal; sn365 recognises its own secrets by it. */
  readonly displayName: string
  /** When it expires (ISO 8601 or a `Date`). Tenant policies may cap the lifetime. */
  readonly endDateTime: string | Date
  /** When it starts to work. Default now. */
  readonly startDateTime?: string | Date | undefined
}

/** A secret just added: its text is available here only, and stays `Redacted`. */
export interface NewSecret {
  readonly keyId: string
  /** The first three characters, as the portal shows them. */
  readonly hint: string | undefined
  readonly displayName: string | undefined
  readonly startDateTime: string | undefined
  readonly endDateTime: string | undefined
  readonly secretText: Redacted.Redacted<string>
}

/** What {@link Applications.confirmSecret} needs. */
export interface ConfirmSecretInput {
  /** The tenant the token is requested from (GUID or verified domain). */
  readonly tenant: string
  /** The application's client id. */
  readonly appId: string
  readonly secret: Redacted.Redacted<string>
  /** The scope of the probe token. Default `https://graph.microsoft.com/.default`. */
  readonly scope?: string | undefined
  /** Overrides the replication budget for this wait. */
  readonly budget?: Duration.Input | undefined
}

const iso = (value: string | Date): string => (typeof value === "string" ? value : value.toISOString())

const ADD_REMEDY =
  "Graph still did not know the application; if it was not just created, check its object id (not the client id)."
const REMOVE_REMEDY = "The application was still replicating; run again in a few minutes."
const CONFIRM_REMEDY =
  "The token service still refused the new secret; run again later (the secret is kept on the application and a later run confirms or replaces it)."

const POLICY_ID = /policy '([^']+)'/

const lifetimePolicy = (e: M365Error, application: string, endDateTime: string): M365Error => {
  if (e._tag !== "BadRequest") return e
  const matches =
    e.vendorCode === GRAPH_LIFETIME_POLICY || (e.vendorMessage ?? "").includes(GRAPH_LIFETIME_POLICY_TEXT)
  if (!matches) return e
  const policyId = POLICY_ID.exec(e.vendorMessage ?? "")?.[1]
  return new SecretLifetimePolicy({
    ...errorFields(e as HttpError),
    application,
    requestedEndDateTime: endDateTime,
    policyId,
    remedy:
      "Choose a shorter secret lifetime (integration.secretLifetimeDays) within the tenant's app-management policy, or ask an administrator to exempt the application from it.",
  })
}

// The answers that mean "the token service has not seen the new secret, app or principal yet".
const isSecretLag = (e: M365Error): boolean =>
  (e._tag === "InvalidClientCredential" && e.credentialType === "clientSecret") ||
  e._tag === "ApplicationNotFound" ||
  e._tag === "ServicePrincipalMissing"

/** @internal */
export const secretOperations = (graph: Graph) => {
  const { api } = graph
  const path = (id: string) => ({ params: { path: { "application-id": id } } })

  const addPassword = (
    appObjectId: string,
    input: SecretInput,
  ): Effect.Effect<NewSecret, M365Error | ReplicationLag> => {
    const endDateTime = iso(input.endDateTime)
    const passwordCredential = {
      displayName: input.displayName,
      endDateTime,
      ...(input.startDateTime === undefined ? {} : { startDateTime: iso(input.startDateTime) }),
    }
    // Not idempotent: a repeated addPassword adds a second secret, so only the retries core
    // knows to be safe (429, refused connections) and replication 404s are repeated.
    return graph
      .send(
        (init) =>
          api.POST("/applications/{application-id}/addPassword", {
            ...path(appObjectId),
            body: { passwordCredential },
            ...init,
          }),
        { validate: newSecretBody },
      )
      .pipe(
        waitForReplication({
          operation: "addPassword",
          target: appObjectId,
          policy: graph.policy,
          isLag: isNotFound,
          remedy: ADD_REMEDY,
        }),
        Effect.mapError((e) => privileges(lifetimePolicy(e, appObjectId, endDateTime))),
        Effect.flatMap(({ data }) =>
          typeof data?.secretText === "string" && typeof data.keyId === "string"
            ? Effect.succeed({
                keyId: data.keyId,
                hint: data.hint ?? undefined,
                displayName: data.displayName ?? undefined,
                startDateTime: data.startDateTime ?? undefined,
                endDateTime: data.endDateTime ?? undefined,
                secretText: Redacted.make(data.secretText),
              })
            : Effect.die(new Error("Graph addPassword answered without keyId or secretText")),
        ),
      )
  }

  // Whether the key is still on the application (a 404 from removePassword may be lag).
  const stillListed = (appObjectId: string, keyId: string) =>
    graph
      .send(
        (init) =>
          api.GET("/applications/{application-id}", {
            params: { path: { "application-id": appObjectId }, query: { $select: ["passwordCredentials"] } },
            ...init,
          }),
        { validate: credentialsBody },
      )
      .pipe(
        Effect.map(({ data }) =>
          ((data as MicrosoftGraphApplication).passwordCredentials ?? []).some(
            (credential) => credential.keyId?.toLowerCase() === keyId.toLowerCase(),
          ),
        ),
        Effect.catchTag("NotFound", (e) =>
          Effect.flatMap(graph.recent.isRecent(appObjectId), (recent) =>
            recent ? Effect.fail(e) : Effect.succeed(false),
          ),
        ),
      )

  const removePassword = (
    appObjectId: string,
    keyId: string,
  ): Effect.Effect<void, M365Error | ReplicationLag> =>
    graph
      .send(
        (init) =>
          api.POST("/applications/{application-id}/removePassword", {
            ...path(appObjectId),
            body: { keyId },
            ...init,
          }),
        { idempotent: true },
      )
      .pipe(
        Effect.asVoid,
        Effect.catchTag("NotFound", (e) =>
          Effect.flatMap(stillListed(appObjectId, keyId), (listed) =>
            listed ? Effect.fail(e) : Effect.void,
          ),
        ),
        waitForReplication({
          operation: "removePassword",
          target: `${appObjectId} (key ${keyId})`,
          policy: graph.policy,
          isLag: isNotFound,
          remedy: REMOVE_REMEDY,
        }),
        Effect.mapError(privileges),
      )

  const confirmSecret = (input: ConfirmSecretInput): Effect.Effect<void, ReplicationLag | M365Error> => {
    const probe = makeCredential({
      tenant: input.tenant,
      auth: { type: "clientSecret", clientId: input.appId, clientSecret: input.secret },
      fetch: graph.fetch,
      timeout: graph.timeout,
    })
    return probe.getToken(input.scope ?? GRAPH_DEFAULT_SCOPE).pipe(
      Effect.asVoid,
      waitForReplication({
        operation: "confirmSecret",
        target: input.appId,
        policy: {
          ...graph.policy,
          maxDelay: graph.policy.maxDelay ?? `${SECRET_REPLICATION_MAX_DELAY_MS} millis`,
          ...(input.budget === undefined ? {} : { budget: input.budget }),
        },
        isLag: isSecretLag,
        remedy: CONFIRM_REMEDY,
      }),
    )
  }

  return { addPassword, removePassword, confirmSecret }
}
