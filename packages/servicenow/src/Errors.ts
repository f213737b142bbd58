/**
 * The errors of `@sn365/servicenow`: core's HTTP family (`Unauthorized`, `NotFound`, `Throttled`…,
 * each with a ServiceNow-specific `remedy`) plus the failures ServiceNow has its own words for. Every
 * one is a `Schema.TaggedError` carrying the request (method, redacted URL), the vendor's message and
 * what to do about it — never a credential.
 *
 * @module
 */
import type { HttpError } from "@sn365/core"
import { Predicate, Schema } from "effect"

const RequestFields = {
  /** The HTTP method, upper case. */
  method: Schema.String,
  /** The request URL, redacted. */
  url: Schema.String,
  /** ServiceNow's transaction id, when the response had one. */
  requestId: Schema.optional(Schema.String),
  /** What a person should do about it. */
  remedy: Schema.String,
}

const ResponseFields = {
  ...RequestFields,
  /** The HTTP status code. */
  status: Schema.Number,
  /** ServiceNow's `error.message`. */
  vendorMessage: Schema.optional(Schema.String),
  /** ServiceNow's `error.detail`. */
  vendorDetail: Schema.optional(Schema.String),
}

interface Described {
  readonly method: string
  readonly url: string
  readonly requestId?: string | undefined
  readonly remedy: string
  readonly status?: number | undefined
  readonly vendorMessage?: string | undefined
  readonly vendorDetail?: string | undefined
}

const describe = (e: Described, what: string): string => {
  const vendor = [e.vendorMessage, e.vendorDetail === undefined ? undefined : `(${e.vendorDetail})`]
    .filter(Predicate.isNotUndefined)
    .join(" ")
  const status = e.status === undefined ? "" : `${e.status} `
  const id = e.requestId === undefined ? "" : ` [request id ${e.requestId}]`
  return `${e.method} ${e.url} → ${status}${what}${vendor === "" ? "" : `: ${vendor}`}${id} — ${e.remedy}`
}

/** What an ACL refused. */
export const AclOperation = Schema.Literals(["read", "query", "create", "update", "delete", "call"])

/** {@link AclOperation} as a type. */
export type AclOperation = typeof AclOperation.Type

/**
 * 403 from an access control: a create, update or delete refused (`Operation Failed` / `ACL Exception
 * … Failed due to security constraints`), a query on a field the caller may not read (`Insufficient
 * rights to query records`), or the integration app's role check. A record an ACL *hides* answers
 * 404 instead (`NotFound`, whose remedy says so).
 *
 * @example
 * ```ts
 * client.table("sys_user_has_role").create({ user, role }).pipe(
 *   Effect.catchTag("AclDenied", (e) => Effect.logError(e.remedy)))
 * ```
 */
export class AclDenied extends Schema.TaggedError<AclDenied>()("AclDenied", {
  ...ResponseFields,
  /** The table, when the request addressed one. */
  table: Schema.optional(Schema.String),
  operation: AclOperation,
}) {
  override get message(): string {
    return describe(
      this,
      `ACL denied ${this.operation}${this.table === undefined ? "" : ` on ${this.table}`}`,
    )
  }
}

/**
 * The instance answered its hibernation page (HTML) instead of JSON: an idle developer instance.
 * Never retried — it does not wake up by itself.
 */
export class InstanceHibernating extends Schema.TaggedError<InstanceHibernating>()("InstanceHibernating", {
  ...RequestFields,
  status: Schema.optional(Schema.Number),
  /** The instance's origin. */
  instanceUrl: Schema.String,
}) {
  override get message(): string {
    return describe(this, "the instance is hibernating")
  }
}

/**
 * The transaction quota cancelled the request (`Transaction cancelled: maximum execution time
 * exceeded`). List reads shrink their page size and try again by themselves; other requests fail.
 */
export class TransactionCancelled extends Schema.TaggedError<TransactionCancelled>()(
  "TransactionCancelled",
  ResponseFields,
) {
  override get message(): string {
    return describe(this, "transaction cancelled by a quota")
  }
}

/**
 * A Basic-auth call refused by the Basic-authentication restriction of Zurich/Australia instances
 * (the lower-case `User is not authenticated` wording only the gate uses). A 401 with the usual
 * wording under Basic auth stays `Unauthorized`, with the same remedy among its suggestions,
 * because ServiceNow answers a wrong password and the gate alike.
 */
export class BasicAuthGate extends Schema.TaggedError<BasicAuthGate>()("BasicAuthGate", {
  ...ResponseFields,
  /** The account that was refused. */
  username: Schema.String,
}) {
  override get message(): string {
    return describe(this, `Basic authentication refused for ${this.username}`)
  }
}

/**
 * The integration app could not read a table from its scope: the table's Application Access (or a
 * `sys_scope_privilege`) refuses cross-scope reads.
 */
export class CrossScopeAccessDenied extends Schema.TaggedError<CrossScopeAccessDenied>()(
  "CrossScopeAccessDenied",
  {
    ...ResponseFields,
    /** The table the app tried to read, e.g. `oauth_entity`. */
    table: Schema.String,
    /** The scope that was refused, e.g. `x_mioms_m365_assis`. */
    scope: Schema.String,
  },
) {
  override get message(): string {
    return describe(this, `cross-scope read of ${this.table} from ${this.scope} refused`)
  }
}

/** The integration app's REST API does not exist on the instance: the app is not installed. */
export class AppNotInstalled extends Schema.TaggedError<AppNotInstalled>()("AppNotInstalled", {
  ...ResponseFields,
  /** The app's scope. */
  scope: Schema.String,
}) {
  override get message(): string {
    return describe(this, `the app ${this.scope} is not installed`)
  }
}

/** A Batch API item that ServiceNow left in `unserviced_requests` every time it was sent. */
export class BatchItemUnserviced extends Schema.TaggedError<BatchItemUnserviced>()("BatchItemUnserviced", {
  ...RequestFields,
  /** The item's id. */
  id: Schema.String,
  /** How many batches carried it. */
  attempts: Schema.Number,
}) {
  override get message(): string {
    return describe(this, `batch item ${this.id} unserviced after ${this.attempts} batches`)
  }
}

/** ServiceNow-specific errors, beside core's {@link HttpError} family. */
export type ServiceNowSpecificError =
  | AclDenied
  | InstanceHibernating
  | TransactionCancelled
  | BasicAuthGate
  | CrossScopeAccessDenied
  | AppNotInstalled
  | BatchItemUnserviced

/** Every error the client fails with. */
export type ServiceNowError = HttpError | ServiceNowSpecificError

const SPECIFIC = [
  AclDenied,
  InstanceHibernating,
  TransactionCancelled,
  BasicAuthGate,
  CrossScopeAccessDenied,
  AppNotInstalled,
  BatchItemUnserviced,
] as const

/** Whether a value is one of the {@link ServiceNowSpecificError} classes. */
export const isServiceNowSpecificError = (u: unknown): u is ServiceNowSpecificError =>
  SPECIFIC.some((cls) => u instanceof cls)
