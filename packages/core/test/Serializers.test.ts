import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import createClient, { createQuerySerializer, defaultPathSerializer } from "openapi-fetch"
import { commaQuerySerializer, pathSerializer } from "../src/Serializers.ts"
import { transportFetch } from "../src/Transport.ts"
import { json, startServer } from "./support/server.ts"

// openapi-fetch's default substitutes with `String.replace`, which expands `$&`, `$'`, `` $` `` and
// `$$`: values with a `$` are compared separately below.
const text = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !s.includes("$"))
const scalar = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(undefined), fc.constant(null))
const name = fc.stringMatching(/^[A-Za-z_][\w-]{0,10}$/)
const literal = fc.string({ maxLength: 8 }).filter((s) => !/[{}$]/.test(s))

// A template `<base>/<lit>{a}<lit>{b}…` and values for its names.
const templateWithParams = fc
  .array(fc.tuple(literal, name), { maxLength: 4 })
  .chain((segments) =>
    fc.tuple(
      fc.constant(`https://x.example/api${segments.map(([lit, n]) => `/${lit}{${n}}`).join("")}/end`),
      fc.record(Object.fromEntries(segments.map(([, n]) => [n, scalar]))),
    ),
  )

describe("pathSerializer", () => {
  it("writes what openapi-fetch's default path serializer writes", () => {
    fc.assert(
      fc.property(templateWithParams, ([template, params]) => {
        assert.strictEqual(pathSerializer(template, params), defaultPathSerializer(template, params))
        // A second call takes the remembered template.
        assert.strictEqual(pathSerializer(template, params), defaultPathSerializer(template, params))
      }),
      { numRuns: 500 },
    )
  })

  it.each([
    ["https://x.example/a/{id}/b/{id}", { id: "1 2" }, "https://x.example/a/1%202/b/1%202"],
    ["https://x.example/{missing}/{id}", { id: "é/?" }, "https://x.example/{missing}/%C3%A9%2F%3F"],
    ["https://x.example/t/{n}", { n: 42 }, "https://x.example/t/42"],
  ])("serializes %s", (template, params, expected) => {
    assert.strictEqual(pathSerializer(template, params), expected)
    assert.strictEqual(defaultPathSerializer(template, params), expected)
  })

  it.each([
    ["label", "https://x.example/t/{.id}", { id: "a" }],
    ["matrix", "https://x.example/t/{;id}", { id: "a" }],
    ["exploded", "https://x.example/t/{id*}", { id: ["a", "b"] }],
    ["an array value", "https://x.example/t/{id}", { id: ["a", "b"] }],
    ["an object value", "https://x.example/t/{id}", { id: { role: "admin", first: "Alex" } }],
  ])("leaves %s to openapi-fetch", (_, template, params) => {
    const expected = defaultPathSerializer(template, params)
    assert.notInclude(expected, "{", "openapi-fetch serialized it")
    assert.strictEqual(pathSerializer(template, params), expected)
  })

  it("inserts a value with `$&` as it is (openapi-fetch's String.replace would expand it)", () => {
    const template = "https://x.example/t/{id}"
    assert.strictEqual(pathSerializer(template, { id: "a$&b" }), "https://x.example/t/a%24%26b")
  })
})

const commaLists = createQuerySerializer({ array: { style: "form", explode: false } })
const queryValue = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(name, text, { maxKeys: 2 }) },
)

describe("commaQuerySerializer", () => {
  it("writes what openapi-fetch writes with `array: { style: 'form', explode: false }`", () => {
    fc.assert(
      fc.property(fc.dictionary(name, queryValue, { maxKeys: 6 }), (query) => {
        assert.strictEqual(commaQuerySerializer(query), commaLists(query))
      }),
      { numRuns: 500 },
    )
  })

  it("joins lists with commas, encodes values and leaves out empty ones", () => {
    const query = {
      sysparm_fields: ["sys_id", "user_name"],
      sysparm_query: "active=true^nameLIKEa&b",
      sysparm_limit: 1,
      sysparm_display_value: false,
      empty: [],
      none: undefined,
      nothing: null,
    }
    const expected =
      "sysparm_fields=sys_id,user_name&sysparm_query=active%3Dtrue%5EnameLIKEa%26b&sysparm_limit=1&sysparm_display_value=false"
    assert.strictEqual(commaQuerySerializer(query), expected)
    assert.strictEqual(commaLists(query), expected)
  })

  it("keeps openapi-fetch's `&` for an object that serializes to nothing, first or not", () => {
    for (const query of [
      { a: {}, b: 1 },
      { b: 1, a: {}, c: 2 },
    ]) {
      assert.strictEqual(commaQuerySerializer(query), commaLists(query))
    }
  })
})

describe("a client built with both", () => {
  it.effect("sends the URL openapi-fetch's own serializers send", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => json(res, 200, { result: {} }))
      type Paths = {
        "/api/{version}/table/{table}/{id}": {
          get: {
            parameters: {
              path: { version: string; table: string; id: string }
              query: { fields: Array<string>; limit: number; q: string }
            }
            responses: { 200: { content: { "application/json": unknown } } }
          }
        }
      }
      const options = { baseUrl: server.origin, fetch: transportFetch(), redirect: "manual" } as const
      const ours = createClient<Paths>({ ...options, pathSerializer, querySerializer: commaQuerySerializer })
      const theirs = createClient<Paths>({
        ...options,
        querySerializer: { array: { style: "form", explode: false } },
      })
      const init = {
        params: {
          path: { version: "v2", table: "sys_user", id: "a/b c" },
          query: { fields: ["sys_id", "name"], limit: 5, q: "name=é^active=true" },
        },
      }
      yield* Effect.promise(() => ours.GET("/api/{version}/table/{table}/{id}", init))
      yield* Effect.promise(() => theirs.GET("/api/{version}/table/{table}/{id}", init))
      assert.strictEqual(
        server.seen[0]?.url,
        "/api/v2/table/sys_user/a%2Fb%20c?fields=sys_id,name&limit=5&q=name%3D%C3%A9%5Eactive%3Dtrue",
      )
      assert.strictEqual(server.seen[0]?.url, server.seen[1]?.url)
    }),
  )
})
