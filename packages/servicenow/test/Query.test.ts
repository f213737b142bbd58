import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect, Stream } from "effect"
import fc from "fast-check"
import { escapeValue, isOrdered, Query } from "../src/Query.ts"
import type { RecordOf } from "../src/Records.ts"
import { clientOf, freshInstance, start } from "./support.ts"

type User = RecordOf<"sys_user">
const q = () => Query.make<User>()

describe("Query (encoded query text)", () => {
  it("joins conditions with ^, ^OR and ^NQ and appends the order", () => {
    const query = q()
      .eq("active", true)
      .startsWith("user_name", "m365_")
      .or()
      .eq("web_service_access_only", "true")
      .nq()
      .like("email", "@example.com")
      .orderBy("user_name")
      .orderByDesc("sys_created_on")
    assert.strictEqual(
      query.toString(),
      "active=true^user_nameSTARTSWITHm365_^ORweb_service_access_only=true^NQemailLIKE@example.com^ORDERBYuser_name^ORDERBYDESCsys_created_on",
    )
  })

  it("escapes every ^ in values, so a value cannot inject ^OR, ^NQ or an order", () => {
    assert.strictEqual(escapeValue("a^b^^c"), "a^^b^^^^c")
    assert.strictEqual(q().eq("name", "x^NQuser_nameANYTHING").toString(), "name=x^^NQuser_nameANYTHING")
    assert.strictEqual(q().eq("name", "x^ORDERBYsys_id").toString(), "name=x^^ORDERBYsys_id")
    assert.isFalse(isOrdered(q().eq("name", "x^ORDERBYsys_id")))
    assert.isFalse(isOrdered("name=x^^ORDERBYsys_id"))
    assert.isTrue(isOrdered("name=x^^^ORDERBYsys_id"))
    assert.isTrue(isOrdered(q().raw("ORDERBYname")))
  })

  it("writes the other operators, numbers and booleans as ServiceNow stores them", () => {
    const query = q()
      .ne("title", "CEO")
      .notLike("email", "test")
      .endsWith("email", ".com")
      .isEmpty("manager")
      .isNotEmpty("email")
      .lt("sys_mod_count", 4)
      .lte("sys_mod_count", 5)
      .gt("sys_created_on", "2026-01-01 00:00:00")
      .gte("sys_mod_count", 0)
      .eq("vip", false)
      .eq("manager.user_name", "admin")
    assert.strictEqual(
      query.toString(),
      "title!=CEO^emailNOT LIKEtest^emailENDSWITH.com^managerISEMPTY^emailISNOTEMPTY^sys_mod_count<4^sys_mod_count<=5" +
        "^sys_created_on>2026-01-01 00:00:00^sys_mod_count>=0^vip=false^manager.user_name=admin",
    )
    assert.strictEqual(q().eq("title", "").ne("email", "").toString(), "titleISEMPTY^emailISNOTEMPTY")
  })

  it("writes IN lists, and falls back to = / != chains for values an IN list cannot hold", () => {
    assert.strictEqual(q().in("user_name", ["a", "b"]).toString(), "user_nameINa,b")
    assert.strictEqual(q().notIn("user_name", ["a", "b"]).toString(), "user_nameNOT INa,b")
    assert.strictEqual(q().in("title", ["a,b", "c"]).toString(), "title=a,b^ORtitle=c")
    assert.strictEqual(q().notIn("title", ["a,b", ""]).toString(), "title!=a,b^titleISNOTEMPTY")
    // T ∨ (x ∉ {…}) distributes: (T ∨ x≠a,b) ∧ (T ∨ x≠c).
    assert.strictEqual(
      q().eq("vip", true).or().notIn("title", ["a,b", "c"]).toString(),
      "vip=true^ORtitle!=a,b^vip=true^ORtitle!=c",
    )
    // (x ∉ {…}) ∨ T distributes the same way (found by the property below).
    assert.strictEqual(
      q().notIn("title", ["a", ""]).or().eq("name", "x").toString(),
      "title!=a^ORname=x^titleISNOTEMPTY^ORname=x",
    )
    assert.strictEqual(q().in("title", []).toString(), "sys_idISEMPTY")
    assert.strictEqual(q().notIn("title", []).toString(), "sys_idISNOTEMPTY")
  })

  it("is immutable, ignores a leading or() and empty groups, and keeps raw fragments as is", () => {
    const base = q().eq("active", true)
    const a = base.eq("vip", true)
    assert.strictEqual(base.toString(), "active=true")
    assert.strictEqual(a.toString(), "active=true^vip=true")
    assert.strictEqual(
      q().or().eq("vip", true).nq().nq().raw("sys_created_on>javascript:gs.beginningOfToday()").toString(),
      "vip=true^NQsys_created_on>javascript:gs.beginningOfToday()",
    )
    assert.strictEqual(q().toString(), "")
    assert.strictEqual(Query.make().eq("u_custom", "x").toString(), "u_custom=x")
  })
})

// ---------------------------------------------------------------------------------------------------
// Round trip through the emulator: a generated query matches exactly the records a model says.

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

type Field = "short_description" | "description"
type Incident = RecordOf<"incident">
type Op =
  | "eq"
  | "ne"
  | "like"
  | "notLike"
  | "startsWith"
  | "endsWith"
  | "in"
  | "notIn"
  | "isEmpty"
  | "isNotEmpty"

interface Condition {
  readonly op: Op
  readonly field: Field
  readonly value: string
  readonly values: ReadonlyArray<string>
}
/** OR of groups, each an AND of terms, each an OR of conditions — the shape of an encoded query. */
type Spec = ReadonlyArray<ReadonlyArray<ReadonlyArray<Condition>>>

const holds = (c: Condition, actual: string): boolean => {
  switch (c.op) {
    case "eq":
      return actual === c.value
    case "ne":
      return actual !== c.value
    case "like":
      return actual.includes(c.value)
    case "notLike":
      return !actual.includes(c.value)
    case "startsWith":
      return actual.startsWith(c.value)
    case "endsWith":
      return actual.endsWith(c.value)
    case "in":
      return c.values.includes(actual)
    case "notIn":
      return !c.values.includes(actual)
    case "isEmpty":
      return actual === ""
    case "isNotEmpty":
      return actual !== ""
  }
}

const matches = (spec: Spec, record: Readonly<Record<Field, string>>) =>
  spec.length === 0 ||
  spec.some((group) => group.every((term) => term.some((c) => holds(c, record[c.field]))))

const apply = (query: Query<Incident>, c: Condition): Query<Incident> => {
  switch (c.op) {
    case "in":
    case "notIn":
      return query[c.op](c.field, c.values)
    case "isEmpty":
    case "isNotEmpty":
      return query[c.op](c.field)
    default:
      return query[c.op](c.field, c.value)
  }
}

const build = (spec: Spec): Query<Incident> => {
  let query = Query.make<Incident>()
  spec.forEach((group, g) => {
    if (g > 0) query = query.nq()
    for (const term of group) {
      term.forEach((condition, i) => {
        if (i > 0) query = query.or()
        query = apply(query, condition)
      })
    }
  })
  return query
}

/** Values full of query syntax: carets, ^OR, ^NQ, =, commas, operators, unicode. */
const tricky = fc.oneof(
  fc.constantFrom(
    "^",
    "^OR",
    "^NQ",
    "=",
    ",",
    "a,b",
    "x,",
    "^^",
    "x^ORDERBYsys_id",
    "!=",
    "LIKE",
    "ISEMPTY",
    "日本語",
    "😀",
    "%",
    "+",
    "&a=b",
  ),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc
    .array(fc.constantFrom("^", "OR", "NQ", "=", ",", "a", "é", " ", "%20", "&"), { maxLength: 5 })
    .map((parts) => parts.join("")),
)

const scenario = fc.array(tricky, { minLength: 1, maxLength: 4 }).chain((pool) => {
  // Mostly values from the pool, so that conditions and records meet.
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool, "") },
    { weight: 1, arbitrary: tricky },
  )
  const condition: fc.Arbitrary<Condition> = fc.record({
    op: fc.constantFrom<Op>(
      "eq",
      "ne",
      "like",
      "notLike",
      "startsWith",
      "endsWith",
      "in",
      "notIn",
      "isEmpty",
      "isNotEmpty",
    ),
    field: fc.constantFrom<Field>("short_description", "description"),
    value,
    values: fc.array(value, { maxLength: 3 }),
  })
  const record = fc.record({ short_description: value, description: value })
  return fc.record({
    records: fc.array(record, { minLength: 1, maxLength: 4 }),
    spec: fc.array(
      fc.array(fc.array(condition, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }),
      {
        maxLength: 2,
      },
    ),
  })
})

describe("Query round trip through the emulator (property)", () => {
  it("records created with generated values are matched exactly by the query built for them", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ records, spec }) => {
        const instance = freshInstance()
        const incidents = clientOf(emulator, instance).table("incident")
        const program = Effect.gen(function* () {
          for (const record of records) yield* incidents.create(record, { fields: ["sys_id"] })
          const all = yield* incidents.list({ fields: ["sys_id", ...FIELDS] }).pipe(Stream.runCollect)
          const expected = all
            .filter((r) =>
              matches(spec, {
                short_description: r.short_description ?? "",
                description: r.description ?? "",
              }),
            )
            .map((r) => r.sys_id)
            .sort()
          const query = build(spec)
          const actual = (yield* incidents.list({ query, fields: ["sys_id"] }).pipe(Stream.runCollect))
            .map((r) => r.sys_id)
            .sort()
          assert.deepStrictEqual(actual, expected, `query: ${query.toString()}`)
          // The values round-trip too: what was written is read back unchanged.
          for (const record of records) {
            assert.isTrue(
              all.some(
                (r) =>
                  r.short_description === record.short_description && r.description === record.description,
              ),
            )
          }
        })
        await Effect.runPromise(program)
      }),
      { numRuns: 150 },
    )
  }, 120_000)

  it("IN and NOT IN lists match exactly, whatever commas and empty values they hold", async () => {
    const listValue = fc.oneof(fc.constantFrom("a", "b", "a,b", ",", "x,", ",y", "", "a^b"), tricky)
    await fc.assert(
      fc.asyncProperty(
        fc.array(listValue, { minLength: 1, maxLength: 4 }),
        fc.array(listValue, { maxLength: 4 }),
        fc.boolean(),
        async (stored, listed, negate) => {
          const instance = freshInstance()
          const incidents = clientOf(emulator, instance).table("incident")
          const program = Effect.gen(function* () {
            const created = new Map<string, string>()
            for (const value of stored) {
              const record = yield* incidents.create({ category: value }, { fields: ["sys_id"] })
              created.set(record.sys_id, value)
            }
            const query = Query.make<Incident>()
              .eq("short_description", "")
              [negate ? "notIn" : "in"]("category", listed)
            const found = (yield* incidents.list({ query, fields: ["sys_id"] }).pipe(Stream.runCollect)).map(
              (r) => r.sys_id,
            )
            const expected = [...created]
              .filter(([, value]) => listed.includes(value) !== negate)
              .map(([id]) => id)
            assert.deepStrictEqual(found.sort(), expected.sort(), `query: ${query.toString()}`)
          })
          await Effect.runPromise(program)
        },
      ),
      { numRuns: 60 },
    )
  }, 120_000)

  it("eq on a generated value matches exactly the records holding it, no more, no less", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(tricky, { minLength: 2, maxLength: 5 }), async (values) => {
        const instance = freshInstance()
        const incidents = clientOf(emulator, instance).table("incident")
        const program = Effect.gen(function* () {
          const ids = new Map<string, string>()
          for (const value of values) {
            const created = yield* incidents.create({ short_description: value }, { fields: ["sys_id"] })
            ids.set(value, created.sys_id)
          }
          for (const value of values) {
            const found = yield* incidents
              .list({ query: Query.make<Incident>().eq("short_description", value), fields: ["sys_id"] })
              .pipe(Stream.runCollect)
            const expected = values.filter((v) => v === value).map((v) => ids.get(v))
            assert.deepStrictEqual(
              found.map((r) => r.sys_id),
              expected,
              JSON.stringify(value),
            )
          }
        })
        await Effect.runPromise(program)
      }),
      { numRuns: 30 },
    )
  }, 120_000)
})

const FIELDS = ["short_description", "description"] as const
