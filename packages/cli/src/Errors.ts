/**
 * Exit codes, the CLI's own errors, and how any failure is summarised for a person (message and
 * remedy) or a program (`--json`), never with a secret and never as a bare stack trace.
 *
 * @module
 */
import * as Schema from "effect/Schema"

/**
 * The exit codes of `sn365`.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | the operation failed (or was cancelled) |
 * | 2 | bad usage or configuration; nothing was changed |
 * | 3 | verification failed |
 * | 130 | interrupted (Ctrl-C) |
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  VerificationFailed: 3,
  Interrupted: 130,
} as const

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** The command line or its environment is wrong (exit code 2). Nothing was changed. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String,
  remedy: Schema.optionalKey(Schema.String),
}) {}

/** The user answered no to a confirmation (exit code 1). Nothing was changed. */
export class Cancelled extends Schema.TaggedError<Cancelled>()("Cancelled", {
  message: Schema.String,
}) {}

/** A problem with the configuration, with where it is and how to fix it. */
export interface ConfigIssue {
  readonly path: ReadonlyArray<string>
  readonly message: string
}

/** The configuration is invalid; every problem is listed at once (exit code 2). */
export class ConfigError extends Schema.TaggedError<ConfigError>()("InvalidConfig", {
  problems: Schema.Array(Schema.Struct({ path: Schema.Array(Schema.String), message: Schema.String })),
  file: Schema.optionalKey(Schema.String),
  remedy: Schema.optionalKey(Schema.String),
}) {
  override get message() {
    const where = this.file === undefined ? "" : ` (file: ${this.file})`
    const lines = this.problems.map(
      (p) => `  - ${p.path.length > 0 ? p.path.join(".") : "(root)"}: ${p.message}`,
    )
    return `The configuration has ${this.problems.length} problem${this.problems.length === 1 ? "" : "s"}${where}:\n${lines.join("\n")}`
  }
}

/** The command has already reported its outcome and exits with `code`. */
export class Exit extends Schema.TaggedError<Exit>()("Exit", { code: Schema.Number }) {}

/** A failure, summarised safely for printing and for `--json`. */
export interface FailureSummary {
  readonly tag: string
  readonly message: string
  readonly remedy?: string
  readonly exitCode: ExitCode
  readonly problems?: ReadonlyArray<ConfigIssue>
  readonly failedChecks?: ReadonlyArray<{ readonly check: string; readonly message: string }>
  /** `PreflightFailed`: every problem, each with its remedy. */
  readonly preflightProblems?: ReadonlyArray<{
    readonly check: string
    readonly message: string
    readonly remedy: string
  }>
  /** `ApplyFailed`: what a run left in place, so that automation need not parse the message. */
  readonly partial?: {
    readonly failedStep: string
    /** The failed step's own error: its tag says what went wrong (`AclDenied`, `ReplicationLag`…). */
    readonly stepError: StepError
    readonly completed: ReadonlyArray<string>
    readonly notStarted: ReadonlyArray<string>
    /** Other steps that failed in the same run, with their own errors. */
    readonly alsoFailed: ReadonlyArray<{ readonly step: string; readonly error: StepError }>
  }
}

/** A step's own error in a failure summary. */
type StepError = { readonly tag: string; readonly message: string; readonly remedy?: string }

// A step's error as `ApplyFailed` carries it, checked field by field (it comes through `unknown`).
const stepErrorOf = (
  error: { readonly tag?: unknown; readonly message?: unknown; readonly remedy?: unknown } | undefined,
): StepError => ({
  tag: typeof error?.tag === "string" ? error.tag : "Error",
  message: typeof error?.message === "string" ? error.message : "failed",
  ...(typeof error?.remedy === "string" ? { remedy: error.remedy } : {}),
})

const USAGE_TAGS = new Set(["UsageError", "InvalidConfig"])

/**
 * Summarises any failure: tagged errors keep their tag, message and remedy and choose the exit
 * code; anything else is an unexpected error (exit code 1).
 */
export const summarizeFailure = (error: unknown): FailureSummary => {
  if (typeof error !== "object" || error === null) {
    return { tag: "UnexpectedError", message: String(error), exitCode: ExitCode.Failed }
  }
  const e = error as {
    _tag?: unknown
    message?: unknown
    remedy?: unknown
    problems?: unknown
    failed?: unknown
    step?: unknown
    error?: { readonly tag?: unknown; readonly message?: unknown; readonly remedy?: unknown }
    completed?: unknown
    notStarted?: unknown
    alsoFailed?: ReadonlyArray<{
      readonly step?: unknown
      readonly error?: Parameters<typeof stepErrorOf>[0]
    }>
  }
  const tag = typeof e._tag === "string" ? e._tag : "UnexpectedError"
  const message = typeof e.message === "string" && e.message !== "" ? e.message : String(error)
  const exitCode = USAGE_TAGS.has(tag)
    ? ExitCode.Usage
    : tag === "VerificationFailed"
      ? ExitCode.VerificationFailed
      : ExitCode.Failed
  const summary: {
    -readonly [K in keyof FailureSummary]: FailureSummary[K]
  } = { tag, message, exitCode }
  // Some errors already spell their remedy out in their message; do not say it twice.
  if (typeof e.remedy === "string" && !message.includes(e.remedy)) summary.remedy = e.remedy
  if (tag === "InvalidConfig" && Array.isArray(e.problems))
    summary.problems = e.problems as Array<ConfigIssue>
  if (tag === "VerificationFailed" && Array.isArray(e.failed))
    summary.failedChecks = e.failed as Array<{ check: string; message: string }>
  if (tag === "PreflightFailed" && Array.isArray(e.problems))
    summary.preflightProblems = e.problems as Array<{ check: string; message: string; remedy: string }>
  if (
    tag === "ApplyFailed" &&
    typeof e.step === "string" &&
    Array.isArray(e.completed) &&
    Array.isArray(e.notStarted)
  )
    summary.partial = {
      failedStep: e.step,
      stepError: stepErrorOf(e.error),
      completed: e.completed as Array<string>,
      notStarted: e.notStarted as Array<string>,
      alsoFailed: (e.alsoFailed ?? []).map((other) => ({
        step: String(other.step),
        error: stepErrorOf(other.error),
      })),
    }
  return summary
}

/** Formats a failure for standard error: the message, its remedy, and the stack only when asked. */
export const formatFailure = (summary: FailureSummary, stack?: string): string => {
  const lines = [`Error: ${summary.message}`]
  if (summary.remedy !== undefined) lines.push(`Remedy: ${summary.remedy}`)
  if (stack !== undefined) lines.push("", stack)
  return `${lines.join("\n")}\n`
}
