/**
 * Secret canaries: the ServiceNow password and the Entra client secret are distinctive canaries,
 * and every secret the setup generates (the Entra secretText, the inbound client secret, the
 * integration user's password) and every token it is issued is learnt from the wire. Nothing a
 * run produces — progress events, plans (rendered and JSON), results, verify and teardown reports,
 * errors (message, toString, toJSON, inspect, Cause.pretty), log lines at Debug, the emulator's
 * snapshot — may contain any of them, in success, in failure, and when a server echoes them back.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import { Cause, Effect, Exit, Logger, Redacted, References } from "effect"
import { renderPlan } from "../../src/Plan.ts"
import { apply, discover, plan, teardown, verify } from "../../src/Setup.ts"
import { CANARY, canaryConfig, canaryEmulator, makeScanner } from "./support/canary.ts"
import { applySignatures } from "./support/crash.ts"
import { reportFigures, stats } from "./support/stats.ts"
import { makeWorld, runOptions, type World } from "./support/world.ts"

reportFigures()

type Output = readonly [where: string, value: unknown]

/** Runs an operation with Debug logs captured; returns its exit. */
const captured = <A, E>(effect: Effect.Effect<A, E>, logs: Array<string>) =>
  effect.pipe(
    Effect.provideService(References.MinimumLogLevel, "Debug"),
    Effect.provideService(
      References.CurrentLoggers,
      new Set([Logger.map(Logger.formatLogFmt, (line) => void logs.push(line))]),
    ),
    Effect.exit,
  )

const exitOutputs = (where: string, exit: Exit.Exit<unknown, unknown>): ReadonlyArray<Output> =>
  Exit.isSuccess(exit)
    ? [[where, exit.value]]
    : [
        [`${where} (error)`, Cause.squash(exit.cause)],
        [`${where} (Cause.pretty)`, Cause.pretty(exit.cause)],
      ]

/** Bearer tokens and Basic credentials the clients sent: secrets too. */
const credentialsOf = (request: Request): ReadonlyArray<string> => {
  const auth = request.headers.get("authorization") ?? ""
  const [, value = ""] = auth.split(" ")
  return value === "" ? [] : [value, Buffer.from(value, "base64").toString("utf8")]
}

/** Learns every credential sent, then passes the request on. */
const learning =
  (next: Fetch, learnt: Set<string>): Fetch =>
  (request) => {
    for (const value of credentialsOf(request)) learnt.add(value)
    return next(request)
  }

/**
 * A server that echoes what it received — the Authorization header and the body — in an error
 * envelope every parser understands, at the first request of the given signature.
 */
/** Every string in a body, without the names that would mark them as secrets. */
const bareValues = (body: string): string => {
  const out: Array<string> = []
  const walk = (value: unknown) => {
    if (typeof value === "string") out.push(value)
    else if (value !== null && typeof value === "object") for (const v of Object.values(value)) walk(v)
  }
  try {
    walk(JSON.parse(body))
  } catch {
    for (const [, v] of new URLSearchParams(body)) out.push(v)
  }
  return out.join(" ")
}

type EchoMode = "json" | "html" | "bare"

const echoing =
  (next: Fetch, target: string, mode: EchoMode): Fetch =>
  async (request) => {
    const url = new URL(request.url)
    if (`${request.method} ${url.hostname}${url.pathname.replace(/[0-9a-f-]{32,36}/g, "{id}")}` !== target)
      return next(request)
    const body = request.body === null ? "" : await request.clone().text()
    const authorization = request.headers.get("authorization") ?? ""
    // A server quoting what it got: with the names (json, html), or the bare values, the Basic
    // password decoded — only knowing the secrets can scrub those.
    const [scheme = "", credential = ""] = authorization.split(" ")
    const decoded =
      scheme === "Basic"
        ? Buffer.from(credential, "base64").toString("utf8").split(":").slice(1).join(":")
        : credential
    const echo =
      mode === "bare"
        ? `you sent ${decoded} ${bareValues(body)}`
        : `you sent ${request.method} ${request.url} with ${authorization} and ${body}`
    if (mode === "html")
      return new Response(`<!DOCTYPE html><html><body><h1>Proxy error</h1><p>${echo}</p></body></html>`, {
        status: 200,
        headers: { "content-type": "text/html" },
      })
    return new Response(
      JSON.stringify({
        error: { code: "Echo", message: echo, detail: echo },
        error_description: echo,
        status: "failure",
      }),
      { status: 400, headers: { "content-type": "application/json" } },
    )
  }

/** A whole lifecycle with canary credentials: everything it produced, and every secret it used. */
const lifecycle = (world: World, learnt: Set<string>) =>
  Effect.gen(function* () {
    const logs: Array<string> = []
    const { options, events } = runOptions(world, { fetch: learning(world.fetch, learnt) })
    const outputs: Array<Output> = []
    const planned = yield* captured(plan(world.config, options), logs)
    outputs.push(...exitOutputs("plan", planned))
    if (Exit.isSuccess(planned)) outputs.push(["rendered plan", renderPlan(planned.value)])
    const applied = yield* captured(apply(world.config, options), logs)
    outputs.push(...exitOutputs("apply", applied))
    assert.isTrue(Exit.isSuccess(applied), "the canary setup must succeed")
    if (Exit.isSuccess(applied)) {
      outputs.push(["rendered apply plan", renderPlan(applied.value.plan)])
      for (const secret of Object.values(applied.value.secrets)) learnt.add(Redacted.value(secret))
    }
    outputs.push(...exitOutputs("verify", yield* captured(verify(world.config, options), logs)))
    outputs.push(...exitOutputs("second apply", yield* captured(apply(world.config, options), logs)))
    outputs.push(...exitOutputs("discover", yield* captured(discover(world.config, options), logs)))
    outputs.push(...exitOutputs("teardown", yield* captured(teardown(world.config, options), logs)))
    outputs.push(...events.map((event, i): Output => [`event ${i} ${event._tag}`, event]))
    outputs.push(...logs.map((line, i): Output => [`log line ${i}`, line]))
    outputs.push(["emulator snapshot", world.emulator.snapshot()])
    return outputs
  })

describe("secret canaries", () => {
  it.live("a whole lifecycle: plan, apply, verify, apply again, discover, teardown", () =>
    Effect.gen(function* () {
      const world = yield* makeWorld(canaryEmulator, () => canaryConfig)
      const learnt = new Set<string>()
      const outputs = yield* lifecycle(world, learnt)
      const scanner = makeScanner(Object.values(CANARY))
      scanner.learn(learnt)
      for (const values of world.wire.values()) scanner.learn(values)
      // Every kind of secret was seen, so the scan looks for all of them.
      for (const field of ["client_secret", "user_password", "clientSecret", "restUserPassword"])
        assert.isNotEmpty([...(world.wire.get(field) ?? [])], `no ${field} seen on the wire`)
      assert.isAbove(scanner.secrets().length, 6)
      for (const [where, value] of outputs) scanner.scan(where, value)
      assert.deepStrictEqual(scanner.findings(), [])
    }),
  )

  // The signatures of a clean run's requests: each becomes a server that echoes the secrets back.
  const signatures = applySignatures(makeWorld(canaryEmulator, () => canaryConfig))

  it.live(
    "servers echoing every request's credentials and body back: as JSON errors, as HTML, as bare values",
    () =>
      Effect.gen(function* () {
        const targets = yield* Effect.promise(() => signatures)
        assert.isAbove(targets.length, 15)
        let echoed = 0
        for (const mode of ["json", "html", "bare"] as const)
          for (const target of targets) {
            stats.add("faults")
            yield* Effect.scoped(
              Effect.gen(function* () {
                const world = yield* makeWorld(canaryEmulator, () => canaryConfig)
                const learnt = new Set<string>()
                const logs: Array<string> = []
                const { options, events } = runOptions(world, {
                  fetch: learning(echoing(world.fetch, target, mode), learnt),
                })
                const exit = yield* captured(apply(world.config, options), logs)
                // The echo reached the error (redaction, not luck, kept the secrets out).
                if (mode !== "html" && Exit.isFailure(exit) && Cause.pretty(exit.cause).includes("you sent"))
                  echoed++
                const scanner = makeScanner(Object.values(CANARY))
                scanner.learn(learnt)
                for (const values of world.wire.values()) scanner.learn(values)
                for (const [where, value] of [
                  ...exitOutputs("apply", exit),
                  ...events.map((event, i): Output => [`event ${i}`, event]),
                  ...logs.map((line, i): Output => [`log ${i}`, line]),
                ])
                  scanner.scan(`${mode} echo at ${target}: ${where}`, value)
                assert.deepStrictEqual(scanner.findings(), [])
              }),
            )
          }
        assert.isAbove(echoed, targets.length, "the echoes did not reach the errors")
      }),
  )

  it("the scanner finds a canary in every form a leak could take", () => {
    const scanner = makeScanner([CANARY.servicenowPassword], { counted: false })
    for (const leak of [
      `password=${CANARY.servicenowPassword}`,
      encodeURIComponent(`x ${CANARY.servicenowPassword}`),
      { nested: [{ deep: CANARY.servicenowPassword }] },
      new Error(`failed with ${CANARY.servicenowPassword}`),
      Buffer.from(CANARY.servicenowPassword).toString("base64"),
    ])
      scanner.scan("control", leak)
    assert.strictEqual(scanner.findings().length, 5)
  })
})
