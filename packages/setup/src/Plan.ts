/**
 * A plan is data: the desired state compared with what exists, one entry per resource. It can be
 * printed, serialised and tested, and it never contains a secret — secret fields show `(secret)`.
 *
 * @module
 */
import type { StepOwner } from "./Events.ts"

/** What apply would do to one resource. */
export type PlanAction = "create" | "update" | "keep" | "blocked" | "delete"

/** One field that would change. Secret fields carry no values. */
export interface FieldChange {
  readonly field: string
  readonly from?: string
  readonly to?: string
  /** When true, `from` and `to` are absent and the field renders as `(secret)`. */
  readonly secret?: boolean
}

/** The planned action for one resource. */
export interface PlannedChange {
  readonly step: string
  readonly title: string
  readonly owner: StepOwner
  /** The natural key sn365 finds the resource by (a uniqueName, a record name, a user name). */
  readonly key: string
  readonly action: PlanAction
  readonly changes: ReadonlyArray<FieldChange>
  /** Why the action is `blocked`, or a note on the action. */
  readonly reason?: string
}

/** A whole plan. */
export interface Plan {
  readonly variant: string
  readonly instance: string
  readonly tenant: string
  readonly changes: ReadonlyArray<PlannedChange>
  readonly warnings: ReadonlyArray<string>
}

/** Counts per action. */
export type PlanSummary = Readonly<Record<PlanAction, number>>

/** Counts the plan's actions. */
export const summarizePlan = (plan: Plan): PlanSummary => {
  const summary = { create: 0, update: 0, keep: 0, blocked: 0, delete: 0 }
  for (const change of plan.changes) summary[change.action]++
  return summary
}

/** Whether apply has anything to do. */
export const hasChanges = (plan: Plan): boolean => plan.changes.some((change) => change.action !== "keep")

const SYMBOL: Record<PlanAction, string> = { create: "+", update: "~", keep: " ", blocked: "!", delete: "-" }

const OWNER: Record<StepOwner, string> = {
  entra: "Entra ID",
  servicenow: "ServiceNow",
  microsoft365: "Microsoft 365 admin center",
}

const renderField = (change: FieldChange): string => {
  if (change.secret) return `${change.field} = (secret)`
  if (change.from === undefined) return `${change.field} = ${JSON.stringify(change.to ?? "")}`
  if (change.to === undefined) return `${change.field} = ${JSON.stringify(change.from)} → (removed)`
  return `${change.field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`
}

/**
 * Renders a plan as text in the style of `terraform plan`: one line per resource grouped by the
 * system that owns it, changed fields indented below, and a summary line.
 */
export const renderPlan = (plan: Plan): string => {
  const lines: Array<string> = [
    `Plan for ${plan.variant} setup of ${plan.instance} with tenant ${plan.tenant}:`,
  ]
  for (const owner of ["entra", "servicenow", "microsoft365"] as const) {
    const changes = plan.changes.filter((change) => change.owner === owner)
    if (changes.length === 0) continue
    lines.push("", `  ${OWNER[owner]}`)
    for (const change of changes) {
      const note = change.reason === undefined ? "" : `  (${change.reason})`
      lines.push(
        `  ${SYMBOL[change.action]} ${change.title.padEnd(34)} ${change.key}  [${change.action}]${note}`,
      )
      for (const field of change.changes) lines.push(`        ${renderField(field)}`)
    }
  }
  for (const warning of plan.warnings) lines.push("", `  warning: ${warning}`)
  const s = summarizePlan(plan)
  lines.push(
    "",
    `Plan: ${s.create} to create, ${s.update} to update, ${s.keep} unchanged, ${s.blocked} blocked${s.delete > 0 ? `, ${s.delete} to delete` : ""}.`,
  )
  return lines.join("\n")
}
