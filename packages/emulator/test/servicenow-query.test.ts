import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import {
  type Condition,
  conditionHolds,
  dropUnknownFields,
  escapeQueryValue,
  matchesQuery,
  type Operator,
  parseEncodedQuery,
  sortRecords,
} from "../src/servicenow/query.ts"

const c = (field: string, operator: Operator, value = ""): Condition => ({ field, operator, value })

describe("parseEncodedQuery", () => {
  it("reads AND, ^OR binding to its neighbour, ^NQ groups and ordering", () => {
    const parsed = parseEncodedQuery(
      "active=true^nameSTARTSWITHa^ORnameENDSWITHz^NQroles=admin^ORDERBYname^ORDERBYDESCsys_created_on",
    )
    expect(parsed.groups).toEqual([
      [[c("active", "=", "true")], [c("name", "STARTSWITH", "a"), c("name", "ENDSWITH", "z")]],
      [[c("roles", "=", "admin")]],
    ])
    expect(parsed.orderBy).toEqual([
      { field: "name", descending: false },
      { field: "sys_created_on", descending: true },
    ])
    expect(parsed.invalid).toEqual([])
  })

  it("knows every documented operator, longest first, and the aliases", () => {
    const ops: Array<[string, Condition]> = [
      ["a=1", c("a", "=", "1")],
      ["a!=1", c("a", "!=", "1")],
      ["a<1", c("a", "<", "1")],
      ["a<=1", c("a", "<=", "1")],
      ["a>1", c("a", ">", "1")],
      ["a>=1", c("a", ">=", "1")],
      ["aLIKEx", c("a", "LIKE", "x")],
      ["aNOT LIKEx", c("a", "NOT LIKE", "x")],
      ["aSTARTSWITHx", c("a", "STARTSWITH", "x")],
      ["aENDSWITHx", c("a", "ENDSWITH", "x")],
      ["aINx,y", c("a", "IN", "x,y")],
      ["aNOT INx,y", c("a", "NOT IN", "x,y")],
      ["aISEMPTY", c("a", "ISEMPTY")],
      ["aISNOTEMPTY", c("a", "ISNOTEMPTY")],
      ["aBETWEEN1@3", c("a", "BETWEEN", "1@3")],
      ["a*x", c("a", "LIKE", "x")],
      ["a!*x", c("a", "NOT LIKE", "x")],
      ["a%x", c("a", "ENDSWITH", "x")],
      ["caller_id.email=x@y", c("caller_id.email", "=", "x@y")],
    ]
    for (const [text, condition] of ops) expect(parseEncodedQuery(text).groups, text).toEqual([[[condition]]])
  })

  it("reads ^^ as a literal caret inside a value", () => {
    expect(parseEncodedQuery("name=a^^b^active=true").groups).toEqual([
      [[c("name", "=", "a^b")], [c("active", "=", "true")]],
    ])
    expect(parseEncodedQuery("name=x^^^ORname=y").groups).toEqual([
      [[c("name", "=", "x^"), c("name", "=", "y")]],
    ])
    // Without escaping, a value can inject a new query (COMM-CARET): the escape prevents it.
    expect(parseEncodedQuery(`name=${escapeQueryValue("v^NQanyANYTHING")}`).groups).toEqual([
      [[c("name", "=", "v^NQanyANYTHING")]],
    ])
  })

  it("collects segments that are not conditions", () => {
    expect(parseEncodedQuery("Bogus^a=1^123TEXTQUERY321=x").invalid).toEqual(["Bogus", "123TEXTQUERY321=x"])
  })

  it("drops unknown fields, widening the result", () => {
    const { query, dropped } = dropUnknownFields(parseEncodedQuery("nope=1^a=2^NQnope=3"), (f) => f === "a")
    expect(dropped).toEqual(["nope", "nope"])
    expect(matchesQuery(query, () => "2")).toBe(true)
    expect(matchesQuery(query, () => "9")).toBe(true) // the second group is now empty: matches everything
  })
})

describe("conditionHolds and sortRecords", () => {
  it("compares numbers numerically and date-times as text", () => {
    expect(conditionHolds(c("p", "<", "10"), "9")).toBe(true)
    expect(conditionHolds(c("d", ">=", "2026-01-01 00:00:00"), "2026-06-01 10:00:00")).toBe(true)
    expect(conditionHolds(c("p", "BETWEEN", "1@3"), "3")).toBe(true)
    expect(conditionHolds(c("p", "IN", "a,b"), "b")).toBe(true)
    expect(conditionHolds(c("p", "NOT IN", "a,b"), "c")).toBe(true)
    expect(conditionHolds(c("p", "ISEMPTY"), "")).toBe(true)
    expect(conditionHolds(c("p", "ANYTHING"), "x")).toBe(true)
  })

  it("sorts by several keys, stable on ties", () => {
    const rows = [
      { n: "b", k: "1" },
      { n: "a", k: "2" },
      { n: "a", k: "10" },
    ]
    const sorted = sortRecords(
      rows,
      [
        { field: "n", descending: false },
        { field: "k", descending: true },
      ],
      (r, f) => (f === "n" ? r.n : r.k),
    )
    expect(sorted.map((r) => `${r.n}${r.k}`)).toEqual(["a10", "a2", "b1"])
  })
})

// Property: a query built from generated conditions (values with carets, unicode and spaces),
// encoded with `^^` escaping and parsed back, matches exactly the records a reference predicate does.
const FIELDS = ["name", "title", "code"] as const
type Rec = Record<(typeof FIELDS)[number], string>
const valueArb = fc.string({
  unit: fc.constantFrom("a", "b", "^", " ", "é", "日", "😀", "=", "x", "N", "Q", "O", "R"),
  maxLength: 6,
})
const binaryOps: ReadonlyArray<Operator> = [
  "=",
  "!=",
  "LIKE",
  "NOT LIKE",
  "STARTSWITH",
  "ENDSWITH",
  "<",
  ">=",
  "IN",
  "NOT IN",
]
const conditionArb = fc.oneof(
  fc
    .record({
      field: fc.constantFrom(...FIELDS),
      operator: fc.constantFrom(...binaryOps),
      value: valueArb.filter((v) => !v.includes(",")),
    })
    // `a<=x` is `<=` with `x`, never `<` with `=x`: the syntax itself cannot say the latter.
    .filter((k) => !((k.operator === "<" || k.operator === ">") && k.value.startsWith("="))),
  fc.record({
    field: fc.constantFrom(...FIELDS),
    operator: fc.constantFrom<Operator>("ISEMPTY", "ISNOTEMPTY"),
    value: fc.constant(""),
  }),
)
// groups (NQ) of terms (AND) of alternatives (OR)
const queryArb = fc.array(
  fc.array(fc.array(conditionArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  {
    minLength: 1,
    maxLength: 3,
  },
)
const recordArb = fc.record({ name: valueArb, title: valueArb, code: valueArb })

const encode = (groups: ReadonlyArray<ReadonlyArray<ReadonlyArray<Condition>>>) =>
  groups
    .map((group) =>
      group
        .map((term) => term.map((k) => `${k.field}${k.operator}${escapeQueryValue(k.value)}`).join("^OR"))
        .join("^"),
    )
    .join("^NQ")

const reference = (k: Condition, actual: string): boolean => {
  switch (k.operator) {
    case "=":
      return actual === k.value
    case "!=":
      return actual !== k.value
    case "LIKE":
      return actual.includes(k.value)
    case "NOT LIKE":
      return !actual.includes(k.value)
    case "STARTSWITH":
      return actual.startsWith(k.value)
    case "ENDSWITH":
      return actual.endsWith(k.value)
    case "IN":
      return k.value.split(",").includes(actual)
    case "NOT IN":
      return !k.value.split(",").includes(actual)
    case "ISEMPTY":
      return actual === ""
    case "ISNOTEMPTY":
      return actual !== ""
    default: {
      const [x, y] = [Number(actual), Number(k.value)]
      const numeric = actual.trim() !== "" && k.value.trim() !== "" && !Number.isNaN(x) && !Number.isNaN(y)
      const order = numeric ? x - y : actual < k.value ? -1 : actual > k.value ? 1 : 0
      return k.operator === "<" ? order < 0 : order >= 0
    }
  }
}

describe("encoded query round trip (property)", () => {
  it("parse(encode(conditions)) matches the same records as the reference predicate", () => {
    fc.assert(
      fc.property(queryArb, fc.array(recordArb, { maxLength: 8 }), (groups, records) => {
        const parsed = parseEncodedQuery(encode(groups))
        expect(parsed.invalid).toEqual([])
        for (const record of records) {
          const expected = groups.some((g) =>
            g.every((term) => term.some((k) => reference(k, (record as Rec)[k.field as keyof Rec]))),
          )
          expect(matchesQuery(parsed, (f) => (record as Rec)[f as keyof Rec] ?? "")).toBe(expected)
        }
      }),
      { numRuns: 400 },
    )
  })
})
