import { describe, expect, it } from "vitest"
import type { Io } from "../src/Io.ts"
import { chooseOutput } from "../src/Output.ts"
import { formatDuration, formatPlainEvent, makeProgressView, renderStepList } from "../src/Progress.ts"
import { events } from "./fixtures.ts"

const fakeIo = () => {
  const out = { stdout: "", stderr: "" }
  const io: Io = {
    stdout: (text) => {
      out.stdout += text
    },
    stderr: (text) => {
      out.stderr += text
    },
    stdoutIsTTY: true,
    stderrIsTTY: true,
    stdinIsTTY: true,
    columns: () => 100,
    env: {},
    cwd: "/",
    ask: async () => undefined,
  }
  return { io, out }
}

describe("formatDuration", () => {
  it("uses ms, seconds with a decimal, then minutes", () => {
    expect([12, 999, 1000, 1234, 59_900, 61_000, 125_000].map(formatDuration)).toEqual([
      "12ms",
      "999ms",
      "1.0s",
      "1.2s",
      "59.9s",
      "1m 01s",
      "2m 05s",
    ])
  })
})

describe("plain progress", () => {
  it("prints one line per event, step starts only when verbose (golden)", async () => {
    const text = events.flatMap((e) => formatPlainEvent(e) ?? []).join("\n")
    await expect(`${text}\n`).toMatchFileSnapshot("golden/progress-plain.txt")
    expect(events.flatMap((e) => formatPlainEvent(e, true) ?? [])).toContain("start  Entra app registration")
  })

  it("writes nothing but warnings when silent", () => {
    const { io, out } = fakeIo()
    const view = makeProgressView(io, { style: "silent", verbose: false, color: false })
    for (const event of events) view.onEvent(event)
    expect(out.stderr).toBe("warning: Tenant policy caps secret lifetime at 90 days\n")
  })
})

describe("live progress", () => {
  it("renders a step list with marks, outcomes and timings (golden)", async () => {
    const lines = renderStepList(
      [
        {
          step: "a",
          title: "Entra app registration",
          status: "succeeded",
          outcome: "created",
          note: "appId 0f0e",
          startedAt: 0,
          durationMs: 1234,
        },
        {
          step: "b",
          title: "Outbound OAuth provider",
          status: "retrying",
          note: "attempt 2 in 1.0s: 429",
          startedAt: 500,
        },
        { step: "c", title: "Inbound OAuth endpoint", status: "running", startedAt: 1000 },
        { step: "d", title: "Role grants", status: "skipped", note: "no users to grant", startedAt: 0 },
        {
          step: "e",
          title: "Integration user",
          status: "failed",
          note: "ACL Exception\nmore",
          startedAt: 0,
          durationMs: 300,
        },
      ],
      { now: 3000, columns: 90, color: false, frame: 0 },
    )
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot("golden/progress-live.txt")
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(90)
  })

  it("redraws in place with ANSI escapes and keeps other output above the list", () => {
    const { io, out } = fakeIo()
    let now = 0
    const view = makeProgressView(io, {
      style: "live",
      verbose: false,
      color: false,
      now: () => now,
      intervalMs: 0,
    })
    view.onEvent({ _tag: "PhaseStarted", phase: "apply" })
    view.onEvent({ _tag: "StepStarted", step: "a", title: "Step A", owner: "entra" })
    now = 700
    view.onEvent({
      _tag: "StepSucceeded",
      step: "a",
      title: "Step A",
      owner: "entra",
      outcome: "created",
      durationMs: 700,
    })
    view.print("RESULT")
    view.close()
    expect(out.stderr).toContain("Applying\n")
    // The one-line list is erased (cursor up one line, clear to end) before each redraw.
    expect(out.stderr).toContain("\x1b[1F\x1b[0J")
    expect(out.stderr).toMatch(/✓ Step A\s+created\s+700ms\n$/)
    expect(out.stdout).toBe("RESULT\n")
  })

  it("takes the list off the screen while a prompt is shown", async () => {
    const { io, out } = fakeIo()
    const view = makeProgressView(io, { style: "live", verbose: false, color: false, intervalMs: 0 })
    view.onEvent({ _tag: "StepStarted", step: "a", title: "Step A", owner: "entra" })
    const before = out.stderr.length
    await view.suspend(async () => {
      io.stderr("QUESTION? ")
    })
    const written = out.stderr.slice(before)
    expect(written.startsWith("\x1b[1F\x1b[0JQUESTION? ")).toBe(true)
    expect(written).toContain("Step A")
  })
})

describe("chooseOutput", () => {
  it("turns colour off for a NO_COLOR that is set and not empty (no-color.org)", () => {
    const colour = (env: Record<string, string>) =>
      chooseOutput({ ...fakeIo().io, env }, { json: false, quiet: false, verbose: false }).color
    expect(colour({})).toBe(true)
    expect(colour({ NO_COLOR: "" })).toBe(true)
    expect(colour({ NO_COLOR: "1" })).toBe(false)
  })
})
