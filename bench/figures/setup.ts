/**
 * Figures 1 and 2: a full `apply` on a fresh instance and tenant, against the critical path of the
 * procedure (`criticalPath.ts`) and against the sequential baseline (`sequential.ts`).
 *
 * @module
 */
import { type ApplyResult, memorySecretStore, setupIntegration } from "@sn365/setup"
import { Effect } from "effect"
import { type ChainBreakdown, chainBreakdown, recordWrites, type Send } from "../lib/chain.ts"
import { type Identities, identitiesOf, setupConfig } from "../lib/config.ts"
import { type Bench, touch } from "../lib/host.ts"
import type { TaskContext } from "../lib/protocol.ts"
import { median } from "../lib/stats.ts"
import { CRITICAL_PATH, NO_CHANGE_PATH_HOPS } from "./criticalPath.ts"
import { sequentialSetup } from "./sequential.ts"

interface ApplyArgs {
  readonly identities: Identities
  readonly latencyMs: number
}

/** What a timed apply reports back. */
interface Timed {
  /** `Date.now()` at the call, to line up with the emulator's request log. */
  readonly startedAtMs: number
  /** When the client wrote each request to its socket (see `lib/chain.ts`). */
  readonly sends: ReadonlyArray<Send>
  readonly wallMs: number
  /** The client process's CPU time (user + system) during the call. */
  readonly cpuMs: number
  readonly outcomes: ReadonlyArray<string>
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Tasks run in the worker (the client's process). */
export const tasks = {
  /** One `setupIntegration` call, timed from the call to its result. */
  apply: async ({ identities, latencyMs }: ApplyArgs, { fetch }: TaskContext): Promise<Timed> => {
    const sends: Array<Send> = []
    const stopRecording = recordWrites(sends)
    const startedAtMs = Date.now()
    const started = performance.now()
    const cpu = process.cpuUsage()
    const result: ApplyResult = await setupIntegration(setupConfig(identities), {
      fetch,
      secrets: memorySecretStore(),
      // The connector host's DNS lookup is a network round trip too: it costs what a request costs.
      resolver: async () => {
        await sleep(latencyMs)
        return []
      },
    }).finally(stopRecording)
    const wallMs = performance.now() - started
    return {
      startedAtMs,
      sends,
      wallMs,
      cpuMs: cpuMsSince(cpu),
      outcomes: result.steps.map((step) => `${step.step}:${step.outcome ?? step.status}`),
    }
  },
  /** The sequential baseline, timed the same way (figure 2 needs only its wall time). */
  sequential: async ({ identities }: ApplyArgs, { fetch }: TaskContext): Promise<Pick<Timed, "wallMs">> => {
    const started = performance.now()
    await Effect.runPromise(sequentialSetup(setupConfig(identities), fetch))
    return { wallMs: performance.now() - started }
  },
}

/** Medians over the measured runs of where an apply's wall time went (see `lib/chain.ts`). */
export interface WhereTheTimeWent {
  readonly hops: number
  readonly latencyMs: number
  readonly serverMs: number
  readonly queuedMs: number
  readonly clientMs: number
  /** The client process's CPU time per run (all of its requests, not only the chain's). */
  readonly clientCpuMs: number
  /** The longest chain of the last measured run. */
  readonly chain: ReadonlyArray<string>
  /** The client's gaps along that chain (before, between, after its requests), per position, medians. */
  readonly gapsMs: ReadonlyArray<number>
}

const summarise = (
  runs: ReadonlyArray<ChainBreakdown>,
  cpuMs: ReadonlyArray<number>,
  latencyMs: number,
): WhereTheTimeWent => {
  const hops = median(runs.map((run) => run.hops))
  return {
    hops,
    latencyMs: hops * latencyMs,
    serverMs: median(runs.map((run) => run.serverMs)),
    queuedMs: median(runs.map((run) => run.queuedMs)),
    clientMs: median(runs.map((run) => run.clientMs)),
    clientCpuMs: median(cpuMs),
    chain: runs.at(-1)?.chain ?? [],
    gapsMs: (runs[0]?.gapsMs ?? []).map((_, i) => median(runs.map((run) => run.gapsMs[i] ?? 0))),
  }
}

/** The numbers of figures 1 and 2 (and a no-change re-run). */
export interface SetupFigures {
  readonly latencyMs: number
  readonly criticalPath: { readonly hops: number; readonly ms: number; readonly chain: typeof CRITICAL_PATH }
  readonly apply: {
    readonly wallMs: ReadonlyArray<number>
    readonly medianMs: number
    readonly requests: number
    readonly timeWent: WhereTheTimeWent
  }
  readonly rerun: {
    readonly wallMs: ReadonlyArray<number>
    readonly medianMs: number
    readonly requests: number
    readonly hops: number
    readonly timeWent: WhereTheTimeWent
  }
  readonly sequential: {
    readonly wallMs: ReadonlyArray<number>
    readonly medianMs: number
    readonly requests: number
  }
  /** Figure 1: apply's median wall time ÷ (critical-path hops × latency). */
  readonly vsCriticalPath: number
  /** Figure 2: the sequential baseline's median ÷ apply's median. */
  readonly speedUp: number
}

const expectAllCreated = (timed: Timed) => {
  const failed = timed.outcomes.filter(
    (outcome) => outcome.endsWith(":failed") || outcome.endsWith(":skipped"),
  )
  if (failed.length > 0) throw new Error(`apply did not complete: ${failed.join(", ")}`)
}

/** Runs figures 1 and 2. */
export const setupFigures = async (bench: Bench): Promise<SetupFigures> => {
  const { emulator, latencyMs } = bench
  const identities = identitiesOf(emulator)
  const worker = await bench.worker()
  try {
    const apply: Array<number> = []
    const rerun: Array<number> = []
    const sequential: Array<number> = []
    const applyChains: Array<ChainBreakdown> = []
    const applyCpu: Array<number> = []
    const rerunCpu: Array<number> = []
    const rerunChains: Array<ChainBreakdown> = []
    let applyRequests = 0
    let rerunRequests = 0
    let sequentialRequests = 0
    for (let run = 0; run < bench.warmups + bench.runs; run++) {
      const measured = run >= bench.warmups
      bench.log(`setup: run ${run + 1}/${bench.warmups + bench.runs}${measured ? "" : " (warm-up)"}`)

      emulator.reset()
      touch(emulator)
      const first = await worker.run<Timed>("setup.apply", { identities, latencyMs })
      expectAllCreated(first)
      const firstRequests = emulator.requests.count()
      const firstChain = chainBreakdown(emulator.requests.all(), latencyMs, first)

      emulator.requests.clear()
      const again = await worker.run<Timed>("setup.apply", { identities, latencyMs })
      if (again.outcomes.some((outcome) => !outcome.endsWith(":kept")))
        throw new Error(`a second apply changed something: ${again.outcomes.join(", ")}`)
      const againRequests = emulator.requests.count()
      const againChain = chainBreakdown(emulator.requests.all(), latencyMs, again)

      emulator.reset()
      touch(emulator)
      const baseline = await worker.run<Pick<Timed, "wallMs">>("setup.sequential", { identities, latencyMs })
      const baselineRequests = emulator.requests.count()

      if (!measured) continue
      apply.push(first.wallMs)
      rerun.push(again.wallMs)
      applyChains.push(firstChain)
      rerunChains.push(againChain)
      applyCpu.push(first.cpuMs)
      rerunCpu.push(again.cpuMs)
      sequential.push(baseline.wallMs)
      applyRequests = firstRequests
      rerunRequests = againRequests
      sequentialRequests = baselineRequests
    }
    const criticalMs = CRITICAL_PATH.length * latencyMs
    const applyMedian = median(apply)
    const sequentialMedian = median(sequential)
    return {
      latencyMs,
      criticalPath: { hops: CRITICAL_PATH.length, ms: criticalMs, chain: CRITICAL_PATH },
      apply: {
        wallMs: apply,
        medianMs: applyMedian,
        requests: applyRequests,
        timeWent: summarise(applyChains, applyCpu, latencyMs),
      },
      rerun: {
        wallMs: rerun,
        medianMs: median(rerun),
        requests: rerunRequests,
        hops: NO_CHANGE_PATH_HOPS,
        timeWent: summarise(rerunChains, rerunCpu, latencyMs),
      },
      sequential: { wallMs: sequential, medianMs: sequentialMedian, requests: sequentialRequests },
      vsCriticalPath: applyMedian / criticalMs,
      speedUp: sequentialMedian / applyMedian,
    }
  } finally {
    await worker.close()
  }
}
