/** A tiny openapi-typescript-shaped `paths` type and a client factory for bridge tests. */
import createClient from "openapi-fetch"
import type { Fetch } from "../../src/Fetch.ts"
import { transportFetch } from "../../src/Transport.ts"

type Json<T> = { headers: Record<string, unknown>; content: { "application/json": T } }

export interface Item {
  readonly id: string
  readonly name: string
}

export interface paths {
  "/items/{id}": {
    get: {
      parameters: { query?: { q?: string }; header?: never; path: { id: string }; cookie?: never }
      requestBody?: never
      responses: { 200: Json<Item>; default: Json<unknown> }
    }
    post: {
      parameters: { query?: { client_secret?: string }; header?: never; path: { id: string }; cookie?: never }
      requestBody: { content: { "application/json": Record<string, unknown> } }
      responses: { 201: Json<Item>; default: Json<unknown> }
    }
    delete: {
      parameters: { query?: never; header?: never; path: { id: string }; cookie?: never }
      requestBody?: never
      responses: { 204: { headers: Record<string, unknown>; content?: never }; default: Json<unknown> }
    }
  }
  "/list": {
    get: {
      parameters: { query?: { offset?: number }; header?: never; path?: never; cookie?: never }
      requestBody?: never
      responses: {
        200: Json<{ result?: Array<Item>; value?: Array<Item>; "@odata.nextLink"?: string }>
        default: Json<unknown>
      }
    }
  }
}

/** An openapi-fetch client on `baseUrl`, through `transportFetch(fetch)`. */
export const makeClient = (baseUrl: string, fetch?: Fetch) =>
  createClient<paths>({ baseUrl, fetch: transportFetch(fetch) })
