/**
 * The parent side of the bench: the emulator (in this process) and the workers that run the
 * client (each in its own process, see `worker.ts`).
 *
 * @module
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { type Emulator, type EmulatorOptions, startEmulator } from "@sn365/emulator"
import type { TaskResponse } from "./protocol.ts"

/** The ServiceNow instance every figure uses. */
export const INSTANCE = "dev365"

/** What every figure gets from the runner. */
export interface Bench {
  readonly emulator: Emulator
  /** Injected latency per request, in ms. */
  readonly latencyMs: number
  /** Measured repetitions per figure (medians are reported). */
  readonly runs: number
  /** Unmeasured runs first, so both processes' JIT is warm. */
  readonly warmups: number
  /** Starts a worker process (close it when done); `exposeGc` gives it `globalThis.gc`. */
  readonly worker: (options?: { readonly exposeGc?: boolean }) => Promise<Worker>
  /** Progress on stderr. */
  readonly log: (line: string) => void
}

/** A client process. */
export interface Worker {
  readonly run: <A>(task: string, args?: unknown) => Promise<A>
  readonly close: () => Promise<void>
}

/** Starts the emulator with the setup account allowed through the basic-auth gate. */
export const startBenchEmulator = (latencyMs: number, options: EmulatorOptions = {}): Promise<Emulator> =>
  startEmulator({
    latencyMs,
    ...options,
    servicenow: { adminBasicAuthApiAccess: true, instances: [INSTANCE], ...options.servicenow },
  })

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url))

/** Forks a worker whose fetch routes to `emulator`. */
export const startWorker = async (
  emulator: Emulator,
  options: { readonly exposeGc?: boolean } = {},
): Promise<Worker> => {
  const child: ChildProcess = fork(WORKER, [], {
    execArgv: [...process.execArgv, ...(options.exposeGc === true ? ["--expose-gc"] : [])],
    env: { ...process.env, SN365_BENCH_ROUTES: JSON.stringify(emulator.routes) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let nextId = 1
  let ready: () => void = () => undefined
  const started = new Promise<void>((resolve) => {
    ready = resolve
  })
  child.on("message", (message: TaskResponse) => {
    if (message.id === 0) return ready()
    const waiter = pending.get(message.id)
    pending.delete(message.id)
    if (waiter === undefined) return
    if (message.ok) waiter.resolve(message.value)
    else waiter.reject(new Error(message.error))
  })
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`worker exited with ${code}`))
    pending.clear()
  })
  await started
  return {
    run: <A>(task: string, args: unknown = {}) =>
      new Promise<A>((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        child.send({ id, task, args })
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill()
      }),
  }
}

/** Re-creates the (seeded) instance after a reset, so seeding is never timed. */
export const touch = (emulator: Emulator): void => emulator.servicenow.ensure(INSTANCE)
