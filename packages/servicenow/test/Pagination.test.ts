import v8 from "node:v8"
import vm from "node:vm"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect, Stream } from "effect"
import { clientOf, freshInstance, requestsTo, start } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

/** Lets pending finalizers and WeakRef bookkeeping run (a macrotask), then collects fully. */
const collect = Effect.promise(async () => {
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  return process.memoryUsage().heapUsed
})

const MB = 1024 * 1024
const USERS = 10_000
const PAGE = 500

describe("list over 10,000 sys_user records", () => {
  it.live("pulls pages lazily: reading 600 records makes 2 requests for pages of 500", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.seedUsers(instance, USERS)
      const users = clientOf(emulator, instance).table("sys_user")
      const taken = yield* users.list({ pageSize: PAGE }).pipe(Stream.take(600), Stream.runCount)
      assert.strictEqual(taken, 600)
      assert.strictEqual(requestsTo(emulator, instance, "GET"), 2)
    }),
  )

  it.live(
    "keeps at most two pages of records alive while streaming all of them",
    () =>
      Effect.gen(function* () {
        const instance = freshInstance()
        emulator.servicenow.seedUsers(instance, USERS)
        const users = clientOf(emulator, instance).table("sys_user")
        // Every record streamed is watched through a WeakRef: at each page boundary, after a full
        // collection, only the records something still holds are alive.
        const watched: Array<WeakRef<object>> = []
        let maxAlive = 0
        const heap: Array<number> = [yield* collect]
        yield* users.list({ pageSize: PAGE }).pipe(
          Stream.runForEach((record) =>
            Effect.gen(function* () {
              watched.push(new WeakRef(record))
              if (watched.length % PAGE !== 0) return
              heap.push(yield* collect)
              maxAlive = Math.max(maxAlive, watched.filter((ref) => ref.deref() !== undefined).length)
            }),
          ),
        )
        assert.strictEqual(watched.length, USERS + 2)
        assert.strictEqual(requestsTo(emulator, instance, "GET"), Math.ceil((USERS + 2) / PAGE))
        const range = (Math.max(...heap) - Math.min(...heap)) / MB
        console.info(
          `10k sys_user stream, pages of ${PAGE}: at most ${maxAlive} records alive at a page boundary; ` +
            `heap varied by ${range.toFixed(2)} MB over ${heap.length} samples`,
        )
        assert.isAtMost(maxAlive, 2 * PAGE)
        assert.isBelow(range, 16)
      }),
    60_000,
  )
})
