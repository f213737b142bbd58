import { assert, describe, it } from "@effect/vitest"
import { listBody, recordBody, summaryBody } from "../src/internal/shape.ts"

describe("body shapes", () => {
  it("names the record and the field that is wrong", () => {
    const page = (...records: Array<unknown>) => ({ result: records })
    const good = { sys_id: "a1", user_name: "itil", manager: { link: "https://x", value: "b2" } }
    assert.isUndefined(listBody(true)(page(good, good)))
    assert.strictEqual(
      listBody(true)(page(good, { sys_id: "c3", active: true })),
      "result[1].active is not a string",
    )
    assert.strictEqual(listBody(true)(page(good, good, null)), "result[2] is not a record")
    assert.strictEqual(listBody(true)(page({ user_name: "itil" })), "result[0] has no sys_id")
    assert.isUndefined(listBody(false)(page({ user_name: "itil" })), "fields without sys_id were asked for")
    assert.strictEqual(listBody(true)({ result: {} }), "result is not a list of records")
    assert.strictEqual(recordBody(true)({ result: [] }), "result is not a record")
    assert.strictEqual(recordBody(true)({ result: { sys_id: 7 } }), "result.sys_id is not a string")
    assert.strictEqual(recordBody(true)("<html>"), "the body is not an object")
    assert.isUndefined(recordBody(true)({ result: good }))
    assert.strictEqual(summaryBody({ result: { steps: ["a"] } }), "result.steps is not a string")
  })
})
