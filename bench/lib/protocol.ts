/**
 * Messages between the bench's parent (the emulator host) and a worker (the client).
 *
 * @module
 */
import type { Fetch } from "@sn365/core"

/** What a task receives besides its arguments. */
export interface TaskContext {
  /** Routes the real vendor host names to the emulator in the parent process. */
  readonly fetch: Fetch
}

/** Parent → worker. */
export interface TaskRequest {
  readonly id: number
  /** `<figure module>.<task>`, e.g. `setup.apply`. */
  readonly task: string
  readonly args: unknown
}

/** Worker → parent. */
export type TaskResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string }
