/**
 * Core's HTTP errors → what they mean on ServiceNow: the vendor-specific error classes and a remedy
 * on every error. Applied to each attempt before the retry policy sees it, so hibernation, ACL
 * refusals and quota cancellations are never retried.
 */
import {
  BadRequest,
  brokenConnectionRemedy,
  Forbidden,
  type HttpError,
  InsecureTransport,
  mayHaveBeenProcessed,
  NetworkError,
  NotFound,
  ServerError,
  Throttled,
  Timeout,
  Unauthorized,
  UnexpectedResponse,
  withRemedy,
} from "@sn365/core"
import {
  AclDenied,
  type AclOperation,
  AppNotInstalled,
  BasicAuthGate,
  CrossScopeAccessDenied,
  InstanceHibernating,
  type ServiceNowError,
  TransactionCancelled,
} from "../Errors.ts"
import {
  ACL_EXCEPTION,
  APP_ADMIN_ROLE,
  BASIC_AUTH_API_ACCESS_ROLE,
  BASIC_AUTH_GATE_WORDING,
  CLIENT_CREDENTIALS_PROPERTY,
  CROSS_SCOPE_REFUSED,
  HIBERNATION_MARKER,
  HIBERNATION_TITLE,
  INVALID_TABLE,
  MISSING_API_SCOPE,
  NO_RESOURCE,
  OAUTH_ADMIN_ROLES,
  OPERATION_FAILED,
  QUERY_DENIED,
  ROPC_DISABLED_PROPERTY,
  TRANSACTION_CANCELLED,
  UNREADABLE_REQUEST,
  WAKE_URL,
} from "../vendor.ts"

/** How the client authenticates, as far as remedies care. */
export type AuthKind = "basic" | "oauthPassword" | "oauthClientCredentials" | "bearer"

/** What a request was for. */
export type Operation = "read" | "list" | "create" | "update" | "delete" | "token" | "batch" | "app"

/** Everything the mapping needs to know about the request besides the error. */
export interface ErrorContext {
  readonly instanceUrl: string
  readonly auth: AuthKind
  /** The account, for Basic and the password grant (never a secret). */
  readonly username?: string | undefined
  readonly operation: Operation
  readonly table?: string | undefined
}

const APP_SCOPE = "x_mioms_m365_assis"

const basicRemedy = (username: string | undefined) =>
  `Check the user name and password of ${username ?? "the Basic-auth account"}. If they are right (they work in the browser), ` +
  "the instance's Basic-authentication restriction (new Zurich/Australia instances) refuses this account: " +
  `make it Web Service Access Only, or have a security_admin grant it the role ${BASIC_AUTH_API_ACCESS_ROLE} ` +
  "(an admin role alone does not pass), or use OAuth."

const tokenRemedy = (ctx: ErrorContext) =>
  "ServiceNow refused the token request; it answers access_denied for every cause, the real reason is in the " +
  "instance's system log. Check: the client id and secret of an active OAuth API endpoint (oauth_entity type client, " +
  "secret set with sysparm_input_display_value=true); " +
  (ctx.auth === "oauthClientCredentials"
    ? `the property ${CLIENT_CREDENTIALS_PROPERTY}=true and an OAuth Application User on the client.`
    : `the user${ctx.username === undefined ? "" : ` ${ctx.username}`} is active, not locked out, not "Password needs reset", ` +
      `its password was set with sysparm_input_display_value=true, and ${ROPC_DISABLED_PROPERTY} is not true.`)

const unauthorizedRemedy = (ctx: ErrorContext): string => {
  if (ctx.operation === "token") return tokenRemedy(ctx)
  switch (ctx.auth) {
    case "basic":
      return basicRemedy(ctx.username)
    case "bearer":
      return "The bearer token was refused: it expired, was revoked, or was issued by another instance. Give the client a fresh token."
    default:
      return "A freshly issued access token was refused: check that the OAuth user is active and that no REST API access policy excludes OAuth."
  }
}

const aclOperation = (ctx: ErrorContext, detail: string | undefined): AclOperation => {
  if (detail?.includes("Insert") === true) return "create"
  if (detail?.includes("Update") === true) return "update"
  if (detail?.includes("Delete") === true) return "delete"
  switch (ctx.operation) {
    case "create":
    case "update":
    case "delete":
    case "read":
      return ctx.operation
    case "list":
      return "query"
    default:
      return "call"
  }
}

const aclRemedy = (ctx: ErrorContext, operation: AclOperation): string => {
  const table = ctx.table ?? "the table"
  if (operation === "query")
    return (
      `The query filters or sorts on a field of ${table} this user may not read (ServiceNow also says this for a field that ` +
      "does not exist): remove the field from the query, or grant a role whose read ACL covers it."
    )
  const oauth = ctx.table?.startsWith("oauth_") === true || ctx.table === "oidc_provider_configuration"
  const roles = oauth ? ` (for OAuth records: ${OAUTH_ADMIN_ROLES.join(", ")})` : ""
  return `An ACL refuses to ${operation} ${table} records for this user: grant a role that the table's ${operation} ACL accepts${roles}, or use another account.`
}

const forbidden = (e: Forbidden, ctx: ErrorContext): ServiceNowError => {
  const message = e.vendorMessage ?? ""
  const detail = e.vendorDetail
  const fields = {
    method: e.method,
    url: e.url,
    requestId: e.requestId,
    status: e.status,
    vendorMessage: e.vendorMessage,
    vendorDetail: e.vendorDetail,
  }
  const crossScope = CROSS_SCOPE_REFUSED.exec(message)
  if (crossScope !== null) {
    const [, table = "oauth_entity", scope = APP_SCOPE] = crossScope
    return new CrossScopeAccessDenied({
      ...fields,
      table,
      scope,
      remedy:
        `Let other scopes read ${table}: in its table definition (sys_db_object) set Accessible from = All application scopes ` +
        `and Can read = on (access=public, read_access=true), and make sure no sys_scope_privilege of ${scope} for ${table} is denied.`,
    })
  }
  if (ctx.operation === "app" && message === OPERATION_FAILED) {
    return new AclDenied({
      ...fields,
      operation: "call",
      remedy: `The integration app's API needs the role admin or ${APP_ADMIN_ROLE}.`,
    })
  }
  if (
    message === QUERY_DENIED ||
    (message === OPERATION_FAILED && detail?.includes(ACL_EXCEPTION) === true)
  ) {
    const operation = message === QUERY_DENIED ? "query" : aclOperation(ctx, detail)
    return new AclDenied({ ...fields, table: ctx.table, operation, remedy: aclRemedy(ctx, operation) })
  }
  if (message === MISSING_API_SCOPE)
    return withRemedy(
      e,
      "The OAuth token lacks the REST API auth scope the API requires: add the scope to the OAuth client (or use the useraccount scope).",
    )
  if (detail?.toLowerCase().includes("web service") === true)
    return withRemedy(
      e,
      `Web-service access to ${ctx.table ?? "this table"} is off: turn on "Allow access to this table via web services" (sys_db_object.ws_access).`,
    )
  return withRemedy(
    e,
    "ServiceNow refused the request (an ACL, a business rule, a data policy or an IP access rule): check the user's roles.",
  )
}

const notFound = (e: NotFound, ctx: ErrorContext): NotFound =>
  withRemedy(
    e,
    ctx.operation === "app"
      ? "The integration app's endpoint was not found: check that the app is installed and active."
      : `The ${ctx.table === undefined ? "" : `${ctx.table} `}record does not exist — or an ACL hides it from this user ` +
          "(ServiceNow answers 404 for both): check the sys_id and the user's read access.",
  )

const badRequest = (e: BadRequest, ctx: ErrorContext): ServiceNowError => {
  const message = e.vendorMessage ?? ""
  if (ctx.operation === "app" && message === NO_RESOURCE) {
    return new AppNotInstalled({
      method: e.method,
      url: e.url,
      requestId: e.requestId,
      status: e.status,
      vendorMessage: e.vendorMessage,
      vendorDetail: e.vendorDetail,
      scope: APP_SCOPE,
      remedy: `Install the app ${APP_SCOPE} (Microsoft 365 support integration) on the instance; its REST API does not exist without it.`,
    })
  }
  if (message.startsWith(INVALID_TABLE))
    return withRemedy(
      e,
      `The table ${ctx.table ?? ""} does not exist on this instance: check its name and that its plugin or app is installed.`,
    )
  if (message === UNREADABLE_REQUEST)
    return withRemedy(
      e,
      "ServiceNow could not read the request body (too large for glide.rest.max_content_length, or malformed): send less per request.",
    )
  return e
}

const hibernating = (
  e: {
    readonly method: string
    readonly url: string
    readonly requestId?: string | undefined
    readonly status?: number | undefined
  },
  ctx: ErrorContext,
): InstanceHibernating =>
  new InstanceHibernating({
    method: e.method,
    url: e.url,
    requestId: e.requestId,
    status: e.status,
    instanceUrl: ctx.instanceUrl,
    remedy: `Wake the developer instance: sign in at ${WAKE_URL} and wait until ${ctx.instanceUrl} answers, then run again.`,
  })

const isHtml = (e: UnexpectedResponse) => e.reason === "html-content-type" || e.reason === "html-body"

const transactionCancelled = (e: ServerError | BadRequest, ctx: ErrorContext) =>
  new TransactionCancelled({
    method: e.method,
    url: e.url,
    requestId: e.requestId,
    status: e.status,
    vendorMessage: e.vendorMessage,
    vendorDetail: e.vendorDetail,
    remedy:
      ctx.operation === "list"
        ? "Read smaller pages (pageSize) or narrow the query; the Table API quota cancels transactions after 60 s."
        : "The request ran into a transaction quota (60 s for the Table API, 30 s for a batch): send less per request.",
  })

/** Maps one failed attempt's error to its ServiceNow meaning. */
export const toServiceNowError =
  (ctx: ErrorContext) =>
  (e: HttpError): ServiceNowError => {
    // The page is documented with a 200; should it come with an error status, core reads its title.
    if ("vendorMessage" in e && HIBERNATION_TITLE.test(e.vendorMessage ?? "")) return hibernating(e, ctx)
    if (
      (e instanceof ServerError || e instanceof BadRequest) &&
      e.vendorMessage?.startsWith(TRANSACTION_CANCELLED) === true
    )
      return transactionCancelled(e, ctx)
    if (e instanceof UnexpectedResponse) {
      if (isHtml(e) && HIBERNATION_MARKER.test(e.excerpt ?? "")) return hibernating(e, ctx)
      return withRemedy(
        e,
        isHtml(e)
          ? `An HTML page answered instead of the API: check that ${ctx.instanceUrl} is the instance's address and that no proxy or login page is in the way.`
          : `${ctx.instanceUrl} answered in a way the REST API never does: check that it is the instance's address and that no proxy rewrites or redirects the answers.`,
      )
    }
    if (e instanceof Unauthorized) {
      if (ctx.auth === "basic" && ctx.operation !== "token" && e.vendorMessage === BASIC_AUTH_GATE_WORDING) {
        return new BasicAuthGate({
          method: e.method,
          url: e.url,
          requestId: e.requestId,
          status: e.status,
          vendorMessage: e.vendorMessage,
          vendorDetail: e.vendorDetail,
          username: ctx.username ?? "",
          remedy: basicRemedy(ctx.username),
        })
      }
      return withRemedy(e, unauthorizedRemedy(ctx))
    }
    if (e instanceof Forbidden) return forbidden(e, ctx)
    if (e instanceof NotFound) return notFound(e, ctx)
    if (e instanceof BadRequest) return badRequest(e, ctx)
    if (e instanceof Throttled)
      return withRemedy(
        e,
        "A ServiceNow rate-limit rule (sys_rate_limit_rules) refused the request; it is retried while the server's Retry-After fits the retry budget. " +
          "Wait for the window to reset, or ask a rate_limit_admin to raise the rule for this user.",
      )
    if (e instanceof ServerError)
      return withRemedy(
        e,
        `${ctx.instanceUrl} failed to process the request; it is retried when that is safe. If it persists, check the instance's system log, then run again.`,
      )
    if (e instanceof Timeout)
      return withRemedy(
        e,
        `${ctx.instanceUrl} did not answer in time: check that it is awake and reachable (network, proxy, firewall), or allow a longer timeout.`,
      )
    if (e instanceof NetworkError)
      return withRemedy(
        e,
        mayHaveBeenProcessed(e)
          ? brokenConnectionRemedy(ctx.instanceUrl)
          : `Could not reach ${ctx.instanceUrl}: check the instance's address, the network, a proxy (pass a fetch that uses it) and the firewall.`,
      )
    if (e instanceof InsecureTransport)
      return withRemedy(e, "Use an https:// address; plain http is allowed only to loopback.")
    return e
  }
