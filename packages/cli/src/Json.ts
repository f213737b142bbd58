/**
 * The `--json` document: exactly one JSON object on standard output per run, described by
 * `schema/output.schema.json` (JSON Schema 2020-12). Every field is copied explicitly from the
 * setup's results, so nothing new — and no secret — can slip into it unnoticed; the `secrets` of
 * an apply are reported by name and location only.
 *
 * @module
 */
import type {
  ApplyResult,
  DiscoveryReport,
  ErrorSummary,
  IntegrationOutputs,
  NetworkReport,
  Plan,
  StepReport,
  TeardownReport,
  VerifyReport,
} from "@sn365/setup"
import type { FailureSummary } from "./Errors.ts"

/** Version of the document's shape; bumped on incompatible changes. */
export const OUTPUT_SCHEMA_VERSION = 1

/** Commands that can print a JSON document. */
export type JsonCommand = "plan" | "apply" | "verify" | "teardown" | "discover" | "demo"

/** The apply part of the document. Secrets appear by name only. */
export interface ApplyJson {
  readonly steps: ReadonlyArray<StepReport>
  readonly outputs: IntegrationOutputs
  readonly network: NetworkReport
  readonly durationMs: number
  readonly secrets: {
    /** Names of the secrets generated in this run. */
    readonly generated: ReadonlyArray<string>
    /** The secrets file they were written to, or `null` when they were kept in memory only. */
    readonly storedIn: string | null
  }
}

/** The document `--json` prints. See `schema/output.schema.json`. */
export interface OutputDocument {
  readonly schemaVersion: typeof OUTPUT_SCHEMA_VERSION
  /** The command run; `null` on a usage error naming no command that prints JSON (`sn365 aply --json`). */
  readonly command: JsonCommand | null
  readonly ok: boolean
  readonly exitCode: number
  readonly warnings: ReadonlyArray<string>
  readonly configFile?: string
  /** The emulator every request was routed to, if any. */
  readonly emulator?: string
  readonly plan?: Plan
  readonly apply?: ApplyJson
  readonly verify?: VerifyReport
  readonly teardown?: TeardownReport
  readonly discovery?: DiscoveryReport
  /** `demo` only: the second apply, which should change nothing. */
  readonly reapply?: ApplyJson
  readonly error?: {
    readonly tag: string
    readonly message: string
    readonly remedy?: string
    readonly problems?: ReadonlyArray<{ readonly path: ReadonlyArray<string>; readonly message: string }>
    readonly failedChecks?: ReadonlyArray<{ readonly check: string; readonly message: string }>
    readonly preflightProblems?: ReadonlyArray<{
      readonly check: string
      readonly message: string
      readonly remedy: string
    }>
    readonly failedStep?: string
    readonly stepError?: { readonly tag: string; readonly message: string; readonly remedy?: string }
    readonly completed?: ReadonlyArray<string>
    readonly notStarted?: ReadonlyArray<string>
    readonly alsoFailed?: ReadonlyArray<{
      readonly step: string
      readonly error: { readonly tag: string; readonly message: string; readonly remedy?: string }
    }>
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const optional = <T extends object, K extends string, V>(target: T, key: K, value: V | undefined) => {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value
  return target
}

const errorSummary = (error: ErrorSummary): ErrorSummary =>
  optional({ tag: error.tag, message: error.message }, "remedy", error.remedy)

/** A plan, field by field. */
export const planJson = (plan: Plan): Plan => ({
  variant: plan.variant,
  instance: plan.instance,
  tenant: plan.tenant,
  changes: plan.changes.map((change) =>
    optional(
      {
        step: change.step,
        title: change.title,
        owner: change.owner,
        key: change.key,
        action: change.action,
        changes: change.changes.map((field) =>
          field.secret === true
            ? { field: field.field, secret: true }
            : optional(optional({ field: field.field }, "from", field.from), "to", field.to),
        ),
      },
      "reason",
      change.reason,
    ),
  ),
  warnings: [...plan.warnings],
})

const stepJson = (step: StepReport): StepReport => {
  const out: Mutable<StepReport> = {
    step: step.step,
    title: step.title,
    owner: step.owner,
    status: step.status,
    durationMs: step.durationMs,
  }
  optional(out, "outcome", step.outcome)
  optional(out, "detail", step.detail)
  optional(out, "reason", step.reason)
  if (step.error !== undefined) out.error = errorSummary(step.error)
  return out
}

const OUTPUT_KEYS: ReadonlyArray<keyof IntegrationOutputs> = [
  "entraAppId",
  "entraAppObjectId",
  "servicePrincipalId",
  "entraSecretKeyId",
  "outboundProviderSysId",
  "outboundProfileSysId",
  "inboundClientSysId",
  "inboundClientId",
  "integrationUserSysId",
  "integrationUserName",
  "repositoryId",
  "endpoint",
]

const outputsJson = (outputs: IntegrationOutputs): IntegrationOutputs => {
  const out: Record<string, string> = {}
  for (const key of OUTPUT_KEYS) optional(out, key, outputs[key])
  return out
}

const networkJson = (network: NetworkReport): NetworkReport => ({
  serviceIps: [...network.serviceIps],
  connectorHost: network.connectorHost,
  lookup:
    "addresses" in network.lookup
      ? { addresses: [...network.lookup.addresses] }
      : { error: network.lookup.error },
})

/** The apply part: steps, outputs and network; the secrets by name and location only. */
export const applyJson = (result: ApplyResult, secretsFile: string | undefined): ApplyJson => ({
  steps: result.steps.map(stepJson),
  outputs: outputsJson(result.outputs),
  network: networkJson(result.network),
  durationMs: result.durationMs,
  secrets: { generated: Object.keys(result.secrets).sort(), storedIn: secretsFile ?? null },
})

/** The verification report, check by check. */
export const verifyJson = (report: VerifyReport): VerifyReport => ({
  ok: report.ok,
  checks: report.checks.map((check) =>
    optional(
      optional({ id: check.id, title: check.title, status: check.status }, "message", check.message),
      "remedy",
      check.remedy,
    ),
  ),
})

/** The teardown report. */
export const teardownJson = (report: TeardownReport): TeardownReport => ({
  steps: report.steps.map(stepJson),
  removed: report.removed.map((item) => ({ title: item.title, key: item.key })),
  absent: report.absent.map((item) => ({ title: item.title, key: item.key })),
})

/** The discovery report; values of password-type properties are never copied. */
export const discoveryJson = (report: DiscoveryReport): DiscoveryReport => {
  const out: Mutable<DiscoveryReport> = {
    tables: report.tables.map((table) => optional({ name: table.name }, "label", table.label)),
    properties: report.properties.map((property) =>
      optional(
        optional({ name: property.name }, "type", property.type),
        "value",
        property.type?.startsWith("password") === true ? undefined : property.value,
      ),
    ),
  }
  if (report.app !== undefined)
    out.app = {
      scope: report.app.scope,
      name: report.app.name,
      version: report.app.version,
      generation: report.app.generation,
    }
  return out
}

/** The error part of the document. */
export const errorJson = (failure: FailureSummary): NonNullable<OutputDocument["error"]> => {
  const out: Mutable<NonNullable<OutputDocument["error"]>> = { tag: failure.tag, message: failure.message }
  optional(out, "remedy", failure.remedy)
  if (failure.problems !== undefined)
    out.problems = failure.problems.map((p) => ({ path: [...p.path], message: p.message }))
  if (failure.failedChecks !== undefined)
    out.failedChecks = failure.failedChecks.map((f) => ({ check: f.check, message: f.message }))
  if (failure.preflightProblems !== undefined)
    out.preflightProblems = failure.preflightProblems.map((p) => ({
      check: p.check,
      message: p.message,
      remedy: p.remedy,
    }))
  if (failure.partial !== undefined) {
    out.failedStep = failure.partial.failedStep
    out.stepError = { ...failure.partial.stepError }
    out.completed = [...failure.partial.completed]
    out.notStarted = [...failure.partial.notStarted]
    if (failure.partial.alsoFailed.length > 0)
      out.alsoFailed = failure.partial.alsoFailed.map((other) => ({
        step: other.step,
        error: { ...other.error },
      }))
  }
  return out
}

/** Serialises the document: one JSON object and a newline. */
export const stringifyDocument = (document: OutputDocument): string =>
  `${JSON.stringify(document, null, 2)}\n`
