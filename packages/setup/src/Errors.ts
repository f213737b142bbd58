/**
 * The setup's own errors. Each says what is wrong and what to do about it, and never carries a
 * secret: underlying transport errors are already redacted by `@sn365/core`.
 *
 * @module
 */
import { Schema } from "effect"

/** One configuration problem: where it is and what is wrong. */
export const ConfigProblem = Schema.Struct({
  path: Schema.Array(Schema.String),
  message: Schema.String,
})
export type ConfigProblem = typeof ConfigProblem.Type

/** The configuration is invalid; `problems` lists every problem at once. No request was made. */
export class InvalidConfig extends Schema.TaggedError<InvalidConfig>()("InvalidConfig", {
  problems: Schema.Array(ConfigProblem),
}) {
  override get message() {
    const lines = this.problems.map(
      (p) => `  - ${p.path.length > 0 ? p.path.join(".") : "(root)"}: ${p.message}`,
    )
    return `The configuration has ${this.problems.length} problem${this.problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`
  }
}

/** One failed precondition found before any write. */
export const PreflightProblem = Schema.Struct({
  check: Schema.String,
  message: Schema.String,
  remedy: Schema.String,
  /** The underlying error's tag (`InvalidClientCredential`, `BasicAuthGate`…), when there is one. */
  tag: Schema.optionalKey(Schema.String),
})
export type PreflightProblem = typeof PreflightProblem.Type

/** Preflight found problems; nothing was changed on either side. */
export class PreflightFailed extends Schema.TaggedError<PreflightFailed>()("PreflightFailed", {
  problems: Schema.Array(PreflightProblem),
}) {
  override get message() {
    const lines = this.problems.map(
      (p) => `  - ${p.check}: ${p.message}${p.message.includes(p.remedy) ? "" : `\n    Remedy: ${p.remedy}`}`,
    )
    return `Preflight failed; nothing was changed:\n${lines.join("\n")}`
  }
}

/**
 * The app cannot read an OAuth table from its scope (the documented cross-scope error). sn365
 * changes Application Access only when asked to.
 */
export class CrossScopeAccessDenied extends Schema.TaggedError<CrossScopeAccessDenied>()(
  "CrossScopeAccessDenied",
  {
    tables: Schema.Array(Schema.String),
    scope: Schema.String,
  },
) {
  override get message() {
    return (
      `Read operation against '${this.tables.join("', '")}' from scope '${this.scope}' is refused by the table's cross-scope access policy. ` +
      `Remedy: on each table (sys_db_object), set Accessible from = All application scopes and check Can read ` +
      `(access=public, read_access=true), or re-run with integration.fixCrossScopeAccess = true (CLI: --fix-cross-scope) to let sn365 do it.`
    )
  }
}

/**
 * An object with a name sn365 would use exists but is not marked as managed by sn365. sn365 never
 * changes what it does not manage.
 */
export class UnmanagedResourceConflict extends Schema.TaggedError<UnmanagedResourceConflict>()(
  "UnmanagedResourceConflict",
  {
    resource: Schema.String,
    key: Schema.String,
    remedy: Schema.String,
  },
) {
  override get message() {
    return `${this.resource} '${this.key}' exists but was not created by sn365, so sn365 will not change it. Remedy: ${this.remedy}`
  }
}

/** A summary of an underlying error, safe to print and serialise. */
export const ErrorSummary = Schema.Struct({
  tag: Schema.String,
  message: Schema.String,
  remedy: Schema.optionalKey(Schema.String),
})
export type ErrorSummary = typeof ErrorSummary.Type

/** Summarises any failure (tagged errors keep their tag and remedy). */
export const summarize = (error: unknown): ErrorSummary => {
  if (typeof error === "object" && error !== null) {
    const e = error as { _tag?: unknown; message?: unknown; remedy?: unknown }
    const summary: ErrorSummary = {
      tag: typeof e._tag === "string" ? e._tag : "Error",
      message: typeof e.message === "string" ? e.message : String(error),
    }
    return typeof e.remedy === "string" ? { ...summary, remedy: e.remedy } : summary
  }
  return { tag: "Error", message: String(error) }
}

/**
 * A step of apply (or teardown) failed. Steps that had completed stay in place (every step is
 * idempotent): fix the cause and run the same operation again to converge.
 */
export class ApplyFailed extends Schema.TaggedError<ApplyFailed>()("ApplyFailed", {
  operation: Schema.Literals(["apply", "teardown"]),
  step: Schema.String,
  title: Schema.String,
  error: ErrorSummary,
  completed: Schema.Array(Schema.String),
  notStarted: Schema.Array(Schema.String),
  /** Other steps that failed in the same run (apply runs independent steps at once). */
  alsoFailed: Schema.optionalKey(
    Schema.Array(Schema.Struct({ step: Schema.String, title: Schema.String, error: ErrorSummary })),
  ),
}) {
  override get message() {
    // Some errors already end their message with the remedy; say it once.
    const remedy =
      this.error.remedy === undefined || this.error.message.includes(this.error.remedy)
        ? ""
        : `\nRemedy: ${this.error.remedy}`
    const others = (this.alsoFailed ?? []).map((other) => `'${other.title}' (${other.error.tag})`)
    return (
      `Step '${this.title}' failed: ${this.error.message}${remedy}\n` +
      (others.length === 0 ? "" : `Also failed: ${others.join(", ")}.\n`) +
      `${this.completed.length} step(s) completed and stay in place; ${this.notStarted.length} did not start. ` +
      `Fix the cause and run ${this.operation} again: it resumes where it stopped.`
    )
  }
}

/** The plan was shown and not confirmed; nothing was changed. */
export class ApplyCancelled extends Schema.TaggedError<ApplyCancelled>()("ApplyCancelled", {}) {
  override get message() {
    return "Apply cancelled: the plan was not confirmed, so nothing was changed."
  }
}

/** One or more verification checks failed. */
export class VerificationFailed extends Schema.TaggedError<VerificationFailed>()("VerificationFailed", {
  failed: Schema.Array(Schema.Struct({ check: Schema.String, message: Schema.String })),
}) {
  override get message() {
    return `Verification failed:\n${this.failed.map((f) => `  - ${f.check}: ${f.message}`).join("\n")}`
  }
}
