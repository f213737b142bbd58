/**
 * The Microsoft Graph client every application operation shares: openapi-fetch over the generated
 * types, core's transport and bridge, a bearer token per call from the credential, core's retry of
 * transient failures, the remedies for Graph's errors, and what the operations need to wait for
 * replication.
 */

import {
  brokenConnectionRemedy,
  defaultFetch,
  type Fetch,
  type HttpError,
  mayHaveBeenProcessed,
  pathSerializer,
  transportFetch,
} from "@sn365/core"
import type { Duration } from "effect"
import createClient, { type Client } from "openapi-fetch"
import type { TokenCredential } from "../Credential.ts"
import { InsufficientPrivileges, type M365Error } from "../Errors.ts"
import type { paths } from "../generated/graph.ts"
import { makeRecentWrites, type ReplicationPolicy } from "../Replication.ts"
import {
  APPLICATION_READWRITE_ALL,
  APPLICATION_READWRITE_OWNEDBY,
  GRAPH_AUTHORIZATION_DENIED,
  GRAPH_BASE_URL,
  GRAPH_DEFAULT_SCOPE,
  GRAPH_NO_BACKING_APPLICATION,
  GRAPH_NO_BACKING_APPLICATION_TEXT,
  GRAPH_OWNEDBY_BACKING_TEXT,
  REPLICATION_BUDGET_MS,
} from "../vendor.ts"
import { type BearerSender, bearerSender } from "./bearer.ts"

/** The shared Graph context of one `makeApplications`. */
export interface Graph {
  readonly api: Client<paths>
  /** Runs one Graph call with a token, core's bridge and core's retry of transient failures. */
  readonly send: BearerSender
  readonly policy: ReplicationPolicy
  readonly recent: ReturnType<typeof makeRecentWrites>
  readonly fetch: Fetch
  readonly timeout: Duration.Input | undefined
}

const GRAPH_HOST = new URL(GRAPH_BASE_URL).host
const UNREACHABLE = `Could not reach ${GRAPH_HOST}: check the network, a proxy (pass a fetch that uses it) and the firewall.`

/** Remedies of Graph's generic failures; operations add their own for 404 and 409. */
const remedy = (e: HttpError): string | undefined => {
  switch (e._tag) {
    case "Unauthorized":
      return "Microsoft Graph refused the access token: check the tenant and that the credential's token is for https://graph.microsoft.com."
    case "Throttled":
      return "Microsoft Graph kept throttling beyond the retry budget; wait as long as it asks and run again."
    case "ServerError":
      return "Microsoft Graph failed; try again later."
    case "NetworkError":
      return mayHaveBeenProcessed(e) ? brokenConnectionRemedy(GRAPH_HOST) : UNREACHABLE
    case "Timeout":
      return UNREACHABLE
    case "UnexpectedResponse":
      return `Something other than Microsoft Graph answered (a proxy or a captive portal?); check the route to ${GRAPH_HOST}.`
    case "BadRequest":
      return "Microsoft Graph refused the request; the vendor message names the property."
    default:
      return undefined
  }
}

/** @internal */
export const makeGraph = (options: {
  readonly credential: TokenCredential
  readonly fetch?: Fetch | undefined
  readonly timeout?: Duration.Input | undefined
  readonly policy: ReplicationPolicy
  readonly budgetMs: number | undefined
}): Graph => {
  const fetch = options.fetch ?? defaultFetch
  // transportFetch follows redirects itself; a request built with "manual" is not copied again.
  const api = createClient<paths>({
    baseUrl: GRAPH_BASE_URL,
    fetch: transportFetch(fetch),
    redirect: "manual",
    // openapi-fetch's output, with each path template split once rather than matched per request.
    pathSerializer,
  })
  return {
    api,
    fetch,
    timeout: options.timeout,
    policy: options.policy,
    recent: makeRecentWrites(options.budgetMs ?? REPLICATION_BUDGET_MS),
    send: bearerSender({
      credential: options.credential,
      scope: GRAPH_DEFAULT_SCOPE,
      remedy,
      timeout: options.timeout,
    }),
  }
}

/** Graph's 404: missing, or not replicated yet. */
export const isNotFound = (e: M365Error): boolean => e._tag === "NotFound"

/** A service-principal create whose application has not replicated (entra-graph-msal.md §1.6). */
export const isMissingBackingApplication = (e: M365Error): boolean =>
  (e._tag === "BadRequest" &&
    ((e.vendorDetail ?? "").includes(GRAPH_NO_BACKING_APPLICATION) ||
      (e.vendorMessage ?? "").includes(GRAPH_NO_BACKING_APPLICATION_TEXT))) ||
  (e._tag === "Forbidden" && (e.vendorMessage ?? "").includes(GRAPH_OWNEDBY_BACKING_TEXT))

const PRIVILEGES_REMEDY = `Grant the signing-in application the Microsoft Graph application permission ${APPLICATION_READWRITE_ALL} (or ${APPLICATION_READWRITE_OWNEDBY}, for applications it owns) with admin consent; a signed-in administrator needs the Application Administrator or Global Administrator role.`

/** Graph's 403 `Authorization_RequestDenied` → {@link InsufficientPrivileges}; everything else as is. */
export const privileges = (e: M365Error): M365Error =>
  e._tag === "Forbidden" && (e.vendorCode === undefined || e.vendorCode === GRAPH_AUTHORIZATION_DENIED)
    ? new InsufficientPrivileges({
        method: e.method,
        url: e.url,
        status: e.status,
        requestId: e.requestId,
        vendorCode: e.vendorCode,
        vendorMessage: e.vendorMessage,
        requiredPermission: APPLICATION_READWRITE_ALL,
        remedy: PRIVILEGES_REMEDY,
      })
    : e

/** An OData string literal: single quotes doubled (OData ABNF `SQUOTE-in-string`). */
export const odataString = (value: string): string => value.replace(/'/g, "''")
