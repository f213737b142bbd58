/**
 * Graph JSON batching, `POST /$batch` (entra-graph-msal.md §2.3): at most 20 requests with unique
 * ids (case-insensitive), relative URLs, `headers` with `Content-Type` whenever there is a body,
 * `dependsOn` (a failed dependency gives 424), each request served (and throttled) on its own,
 * responses returned in an order that is not the request order.
 *
 * @module
 */
import type { EmulatorRequest, EmulatorResponse } from "../server/http.ts"
import type { Random } from "../server/random.ts"
import { type GraphRequestContext, graphJson, odataError } from "./odata.ts"
import { GRAPH_ERROR, GRAPH_HOST, GRAPH_VERSION_PATH } from "./vendor.ts"

interface BatchItem {
  readonly id: string
  readonly method: string
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
  readonly dependsOn?: ReadonlyArray<string>
}

interface BatchResult {
  readonly id: string
  readonly status: number
  readonly headers: Record<string, string>
  readonly body?: unknown
}

const parseBody = (response: EmulatorResponse): unknown => {
  const text = response.body === undefined ? "" : response.body.toString()
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return Buffer.from(text).toString("base64")
  }
}

/** Serves a validated batch body by dispatching each request through `serve`. */
export const runBatch = (
  context: GraphRequestContext,
  random: Random,
  outer: EmulatorRequest,
  requests: ReadonlyArray<BatchItem>,
  serve: (request: EmulatorRequest) => EmulatorResponse,
): EmulatorResponse => {
  const malformed = (message: string) => odataError(context, 400, GRAPH_ERROR.gatewayBadRequest, message)
  const ids = new Map<string, BatchItem>()
  for (const item of requests) {
    const key = item.id.toLowerCase()
    if (ids.has(key)) return malformed(`Batch request contains a duplicate request id '${item.id}'.`)
    ids.set(key, item)
    const hasBody = item.body !== undefined && item.body !== null
    const headerNames = Object.keys(item.headers ?? {}).map((h) => h.toLowerCase())
    if (hasBody && !headerNames.includes("content-type")) {
      return malformed(`Request '${item.id}' has a body but no Content-Type header.`)
    }
  }
  for (const item of requests) {
    for (const dependency of item.dependsOn ?? []) {
      if (!ids.has(dependency.toLowerCase()) || dependency.toLowerCase() === item.id.toLowerCase()) {
        return malformed(`Request '${item.id}' depends on an unknown request '${dependency}'.`)
      }
    }
  }

  const results = new Map<string, BatchResult>()
  const visiting = new Set<string>()
  const run = (item: BatchItem): BatchResult => {
    const key = item.id.toLowerCase()
    const done = results.get(key)
    if (done !== undefined) return done
    if (visiting.has(key)) {
      return {
        id: item.id,
        status: 400,
        headers: {},
        body: { error: { code: GRAPH_ERROR.gatewayBadRequest, message: "Circular dependsOn." } },
      }
    }
    visiting.add(key)
    const failed = (item.dependsOn ?? []).some((d) => {
      const dependency = ids.get(d.toLowerCase())
      return dependency === undefined || run(dependency).status >= 400
    })
    let result: BatchResult
    if (failed) {
      result = {
        id: item.id,
        status: 424,
        headers: { "content-type": "application/json" },
        body: {
          error: {
            code: GRAPH_ERROR.failedDependency,
            message: "The request depends on a request that failed.",
          },
        },
      }
    } else if (/^[a-z]+:\/\//i.test(item.url) || /^\/?\$batch\b/i.test(item.url)) {
      result = {
        id: item.id,
        status: 400,
        headers: { "content-type": "application/json" },
        body: {
          error: {
            code: GRAPH_ERROR.gatewayBadRequest,
            message: `Invalid request URL '${item.url}': must be relative.`,
          },
        },
      }
    } else {
      const relative = item.url.startsWith("/") ? item.url : `/${item.url}`
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(item.headers ?? {})) headers[name.toLowerCase()] = value
      if (outer.headers.authorization !== undefined) headers.authorization = outer.headers.authorization
      const body =
        item.body === undefined || item.body === null
          ? Buffer.alloc(0)
          : typeof item.body === "string" && !(headers["content-type"] ?? "").includes("json")
            ? Buffer.from(item.body, "base64")
            : Buffer.from(JSON.stringify(item.body))
      const response = serve({
        method: item.method.toUpperCase(),
        host: GRAPH_HOST,
        url: new URL(`https://${GRAPH_HOST}${GRAPH_VERSION_PATH}${relative}`),
        headers,
        body,
      })
      const responseHeaders: Record<string, string> = {}
      for (const [name, value] of Object.entries(response.headers ?? {})) {
        if (
          [
            "content-type",
            "retry-after",
            "location",
            "x-ms-throttle-scope",
            "x-ms-throttle-information",
          ].includes(name)
        ) {
          responseHeaders[name] = value
        }
      }
      const parsed = parseBody(response)
      result = {
        id: item.id,
        status: response.status,
        headers: responseHeaders,
        ...(parsed === undefined ? {} : { body: parsed }),
      }
    }
    visiting.delete(key)
    results.set(key, result)
    return result
  }
  for (const item of requests) run(item)

  // "Responses come back in any order": a seeded shuffle keeps runs reproducible.
  const ordered = requests.map((item) => results.get(item.id.toLowerCase()) as BatchResult)
  for (let i = ordered.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1))
    const a = ordered[i] as BatchResult
    ordered[i] = ordered[j] as BatchResult
    ordered[j] = a
  }
  return graphJson(context, 200, { responses: ordered })
}
