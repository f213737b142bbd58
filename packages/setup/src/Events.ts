/**
 * Progress as typed events: every step's start, outcome, retries and skips, for the CLI to
 * render and for library users to subscribe to.
 *
 * @module
 */
import { Context } from "effect"
import type { ErrorSummary } from "./Errors.ts"

/** Which system a step changes, and so which administrator would have done it by hand. */
export type StepOwner = "entra" | "servicenow" | "microsoft365"

/** What a step did. */
export type StepOutcome = "created" | "updated" | "kept" | "deleted" | "absent" | "checked"

/** The phases of a run, in order. */
export type Phase = "preflight" | "observe" | "apply" | "verify" | "teardown"

/** One progress event. Secrets never appear in events. */
export type SetupEvent =
  | { readonly _tag: "PhaseStarted"; readonly phase: Phase }
  | { readonly _tag: "StepStarted"; readonly step: string; readonly title: string; readonly owner: StepOwner }
  | {
      readonly _tag: "StepSucceeded"
      readonly step: string
      readonly title: string
      readonly owner: StepOwner
      readonly outcome: StepOutcome
      /** A short, secret-free note: an id, a name, "3 of 5 roles granted". */
      readonly detail?: string
      readonly durationMs: number
    }
  | { readonly _tag: "StepSkipped"; readonly step: string; readonly title: string; readonly reason: string }
  | {
      readonly _tag: "StepRetrying"
      readonly step: string
      readonly title: string
      readonly attempt: number
      readonly delayMs: number
      readonly reason: string
    }
  | {
      readonly _tag: "StepFailed"
      readonly step: string
      readonly title: string
      readonly error: ErrorSummary
      readonly durationMs: number
    }
  | { readonly _tag: "Warning"; readonly message: string }

/** Receives progress events. Must not throw; it is called synchronously on the workflow's fiber. */
export type ProgressListener = (event: SetupEvent) => void

/**
 * Where progress events go. Defaults to nowhere; provide a listener to watch a run.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provideService(Progress, (event) => console.error(event._tag)))
 * ```
 */
export const Progress = Context.Reference<ProgressListener>("@sn365/setup/Progress", {
  defaultValue: () => () => {},
})
