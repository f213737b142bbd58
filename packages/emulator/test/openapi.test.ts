import { describe, expect, it } from "@effect/vitest"
import type { EmulatorRequest } from "../src/server/http.ts"
import { compileOpenApi, describeProblem } from "../src/server/openapi.ts"

const document = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  servers: [{ url: "https://graph.example.test/v1.0" }],
  paths: {
    "/items/{id}": {
      parameters: [{ $ref: "#/components/parameters/id" }],
      get: {
        operationId: "getItem",
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1 } },
          {
            name: "fields",
            in: "query",
            explode: false,
            schema: { type: "array", items: { type: "string" } },
          },
          { name: "tag", in: "query", schema: { type: "array", items: { type: "string" } } },
          { name: "flag", in: "query", schema: { type: "boolean" } },
          { name: "X-Trace", in: "header", required: true, schema: { type: "string", pattern: "^t" } },
        ],
        responses: { "200": { description: "ok", content: { "application/json": {} } } },
      },
      patch: {
        operationId: "patchItem",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } },
        },
        responses: { "204": { description: "done" } },
      },
    },
    "/items/special": {
      get: { operationId: "getSpecial", responses: { "200": { description: "ok" } } },
    },
    "/apps(appId='{appId}')": {
      get: {
        operationId: "getApp",
        parameters: [
          { name: "appId", in: "path", required: true, schema: { type: "string", format: "uuid" } },
        ],
        responses: { "200": { description: "ok" } },
      },
    },
    "/token": {
      post: {
        operationId: "token",
        requestBody: {
          content: {
            "application/x-www-form-urlencoded": {
              schema: {
                type: "object",
                required: ["grant_type"],
                properties: { grant_type: { enum: ["password"] }, n: { type: "integer" } },
              },
            },
          },
        },
        responses: { "200": { description: "ok", content: { "application/json": {} } } },
      },
    },
  },
  components: {
    parameters: {
      id: { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[a-z]+$" } },
    },
    schemas: {
      Item: {
        type: "object",
        additionalProperties: false,
        properties: { name: { type: "string", example: "x" }, child: { $ref: "#/components/schemas/Child" } },
      },
      Child: { type: "object", required: ["value"], properties: { value: { type: "string" } } },
    },
  },
} as const

const request = (
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): EmulatorRequest => ({
  method,
  host: "graph.example.test",
  url: new URL(path, "https://graph.example.test"),
  headers,
  body: Buffer.from(body),
})

describe("compileOpenApi", () => {
  const api = compileOpenApi(document)

  it("routes below the server's base path, preferring concrete paths, and coerces parameters", () => {
    const result = api.validate(
      request("GET", "/v1.0/items/abc?limit=5&fields=a,b&tag=x&tag=y&flag=true&other=1", { "x-trace": "t1" }),
    )
    expect(result).toMatchObject({
      ok: true,
      operation: {
        operationId: "getItem",
        path: "/items/{id}",
        method: "GET",
        params: {
          path: { id: "abc" },
          query: { limit: 5, fields: ["a", "b"], tag: ["x", "y"], flag: true },
          header: { "x-trace": "t1" },
        },
      },
    })
    expect(api.validate(request("GET", "/v1.0/items/special"))).toMatchObject({
      ok: true,
      operation: { operationId: "getSpecial" },
    })
    expect(api.validate(request("GET", "/items/abc"))).toEqual({ ok: false, problem: { kind: "not-found" } })
  })

  it("matches templates inside a segment and validates formats", () => {
    const good = api.validate(request("GET", "/v1.0/apps(appId='0f0e0d0c-0b0a-4908-8706-050403020100')"))
    expect(good).toMatchObject({ ok: true, operation: { operationId: "getApp" } })
    const bad = api.validate(request("GET", "/v1.0/apps(appId='nope')"))
    expect(bad).toMatchObject({
      ok: false,
      problem: { kind: "invalid-request", issues: [{ in: "path", name: "appId" }] },
    })
  })

  it("reports parameter problems with their names", () => {
    const result = api.validate(request("GET", "/v1.0/items/ABC?limit=zero"))
    expect(result.ok).toBe(false)
    if (result.ok || result.problem.kind !== "invalid-request") throw new Error("expected invalid-request")
    expect(result.problem.issues.map((i) => `${i.in}:${i.name}`).sort()).toEqual([
      "header:x-trace",
      "path:id",
      "query:limit",
    ])
    expect(describeProblem(result.problem)).toContain("query parameter 'limit' must be integer")
  })

  it("answers method-not-allowed with the allowed methods, and serves HEAD from GET", () => {
    expect(api.validate(request("DELETE", "/v1.0/items/abc"))).toMatchObject({
      ok: false,
      problem: { kind: "method-not-allowed", allow: expect.arrayContaining(["GET", "PATCH", "HEAD"]) },
    })
    expect(api.validate(request("HEAD", "/v1.0/items/special"))).toMatchObject({
      ok: true,
      operation: { method: "GET" },
    })
  })

  it("negotiates Accept against the declared response media types", () => {
    const headers = { "x-trace": "t" }
    expect(
      api.validate(request("GET", "/v1.0/items/abc", { ...headers, accept: "application/xml" })),
    ).toMatchObject({
      ok: false,
      problem: { kind: "not-acceptable", produces: ["application/json"] },
    })
    for (const accept of ["*/*", "application/*", "text/html, application/json;q=0.5"]) {
      expect(api.validate(request("GET", "/v1.0/items/abc", { ...headers, accept })).ok).toBe(true)
    }
    expect(
      api.validate(request("GET", "/v1.0/items/abc", { ...headers, accept: "application/json;q=0" })).ok,
    ).toBe(false)
  })

  it("checks the body's media type, syntax and schema, resolving schema references", () => {
    const patch = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
      api.validate(request("PATCH", "/v1.0/items/abc", headers, body))
    expect(patch('{"name":"n","child":{"value":"v"}}')).toMatchObject({
      ok: true,
      operation: { body: { name: "n", child: { value: "v" } }, contentType: "application/json" },
    })
    expect(patch("{}", { "content-type": "text/plain" })).toMatchObject({
      ok: false,
      problem: { kind: "unsupported-media-type", contentType: "text/plain" },
    })
    expect(patch("{}", {})).toMatchObject({
      ok: false,
      problem: { kind: "unsupported-media-type", contentType: undefined },
    })
    expect(patch("{nope")).toMatchObject({
      ok: false,
      problem: { kind: "invalid-request", issues: [{ in: "body", message: "body is not valid JSON" }] },
    })
    const invalid = patch('{"name":1,"child":{},"extra":true}')
    if (invalid.ok || invalid.problem.kind !== "invalid-request") throw new Error("expected invalid-request")
    expect(invalid.problem.issues.map((i) => i.pointer).sort()).toEqual(["/child/value", "/extra", "/name"])
    expect(patch("")).toMatchObject({ ok: false, problem: { kind: "invalid-request" } })
  })

  it("parses and coerces form bodies", () => {
    const form = (body: string) =>
      api.validate(
        request("POST", "/v1.0/token", { "content-type": "application/x-www-form-urlencoded" }, body),
      )
    expect(form("grant_type=password&n=3")).toMatchObject({
      ok: true,
      operation: { body: { grant_type: "password", n: 3 } },
    })
    expect(form("grant_type=other")).toMatchObject({ ok: false, problem: { kind: "invalid-request" } })
  })

  it("lists operations and honours an explicit base path", () => {
    expect(api.operations.map((o) => o.operationId)).toEqual([
      "getItem",
      "patchItem",
      "getSpecial",
      "getApp",
      "token",
    ])
    const rooted = compileOpenApi(document, { basePath: "" })
    expect(rooted.validate(request("GET", "/items/special")).ok).toBe(true)
  })

  it("rejects a document without paths", () => {
    expect(() => compileOpenApi({})).toThrow(/no paths/)
  })
})
