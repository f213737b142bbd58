/**
 * Graph's response conventions: the ODataError envelope with `innerError` request ids
 * (entra-graph-msal.md §1.9), response headers, and the permission checks of the application
 * APIs (§1.8): `Application.ReadWrite.All` may manage everything, `Application.ReadWrite.OwnedBy`
 * only what the caller owns.
 *
 * @module
 */
import { type EmulatorResponse, empty, json } from "../server/http.ts"
import type { ApplicationState } from "./directory.ts"
import type { Principal } from "./tokens.ts"
import {
  APPLICATION_ADMIN_ROLES,
  APPLICATION_READ_ALL,
  APPLICATION_READWRITE_ALL,
  APPLICATION_READWRITE_OWNEDBY,
  DIRECTORY_READ_ALL,
  DIRECTORY_READWRITE_ALL,
  GRAPH_CONTENT_TYPE,
  GRAPH_ERROR,
  GRAPH_MESSAGE,
} from "./vendor.ts"

/** The value of an OData string literal (`'o''brien'` → `o'brien`): quotes are doubled inside. */
export const odataStringValue = (literal: string) => literal.replaceAll("''", "'")

/** Ids and time of one Graph request. */
export interface GraphRequestContext {
  readonly requestId: string
  readonly clientRequestId: string
  readonly now: number
}

/** One entry of `error.details`. */
export interface ErrorDetail {
  readonly code: string
  readonly message: string
  readonly target?: string
}

/** Headers of every Graph response. */
export const graphHeaders = (context: GraphRequestContext, extra: Record<string, string> = {}) => ({
  "request-id": context.requestId,
  "client-request-id": context.clientRequestId,
  "odata-version": "4.0",
  "x-ms-ags-diagnostic": JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "1" } }),
  ...extra,
})

/** The `innerError.date` format: UTC without fraction or zone designator. */
const innerDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "")

/** An ODataError response. */
export const odataError = (
  context: GraphRequestContext,
  status: number,
  code: string,
  message: string,
  options: { readonly details?: ReadonlyArray<ErrorDetail>; readonly headers?: Record<string, string> } = {},
): EmulatorResponse =>
  json(
    status,
    {
      error: {
        code,
        message,
        ...(options.details === undefined ? {} : { details: options.details }),
        innerError: {
          date: innerDate(context.now),
          "request-id": context.requestId,
          "client-request-id": context.clientRequestId,
        },
      },
    },
    graphHeaders(context, options.headers),
  )

/** A Graph JSON body. */
export const graphJson = (
  context: GraphRequestContext,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => json(status, body, { ...graphHeaders(context, headers), "content-type": GRAPH_CONTENT_TYPE })

/** 204 No Content. */
export const noContent = (context: GraphRequestContext) => empty(204, graphHeaders(context))

/** 404 `Request_ResourceNotFound` with the documented message. */
export const notFound = (context: GraphRequestContext, id: string) =>
  odataError(context, 404, GRAPH_ERROR.notFound, GRAPH_MESSAGE.notFound(id))

/** 400 `Request_BadRequest`. */
export const badRequest = (
  context: GraphRequestContext,
  message: string,
  details?: ReadonlyArray<ErrorDetail>,
) => odataError(context, 400, GRAPH_ERROR.badRequest, message, details === undefined ? {} : { details })

/** 403 `Authorization_RequestDenied`. */
export const denied = (context: GraphRequestContext, message: string = GRAPH_MESSAGE.denied) =>
  odataError(context, 403, GRAPH_ERROR.denied, message)

const has = (set: ReadonlySet<string>, ...values: ReadonlyArray<string>) => values.some((v) => set.has(v))

/** What a caller may do with applications and service principals. */
export interface Access {
  /** May read every object. */
  readonly readAll: boolean
  /** May change every object. */
  readonly writeAll: boolean
  /** May create objects (and then manage those it owns). */
  readonly create: boolean
  /** The owner id the caller is known by (its service principal or user object id). */
  readonly ownerId: string
}

/** The application-API access a token grants. */
export const accessOf = (principal: Principal): Access => {
  if (principal.kind === "app") {
    const writeAll = has(principal.roles, APPLICATION_READWRITE_ALL, DIRECTORY_READWRITE_ALL)
    return {
      writeAll,
      readAll: writeAll || has(principal.roles, APPLICATION_READ_ALL, DIRECTORY_READ_ALL),
      create: writeAll || has(principal.roles, APPLICATION_READWRITE_OWNEDBY),
      ownerId: principal.objectId,
    }
  }
  const isAdmin = (principal.user?.roles ?? []).some((r) =>
    (APPLICATION_ADMIN_ROLES as ReadonlyArray<string>).includes(r),
  )
  const scopedWrite = has(principal.scopes, APPLICATION_READWRITE_ALL, DIRECTORY_READWRITE_ALL)
  const scopedRead = scopedWrite || has(principal.scopes, APPLICATION_READ_ALL, DIRECTORY_READ_ALL)
  return {
    writeAll: scopedWrite && isAdmin,
    readAll: scopedRead,
    create: scopedWrite,
    ownerId: principal.objectId,
  }
}

/** Whether the caller may read (`write` false) or change (`write` true) an object with these owners. */
export const mayAccess = (access: Access, owners: ReadonlySet<string>, write: boolean) =>
  (write ? access.writeAll : access.readAll) ||
  ((access.create || access.readAll) && owners.has(access.ownerId))

/** Whether an application is visible to the caller in lists. */
export const listable = (access: Access, app: Pick<ApplicationState, "owners">) =>
  mayAccess(access, app.owners, false)
