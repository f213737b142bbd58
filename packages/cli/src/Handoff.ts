/**
 * The moments the CLI must involve a person: confirming a plan, the device-code sign-in, and the
 * manual hand-off of the admin-center form. Secret values are shown only on an interactive
 * terminal, after an explicit yes, and never in `--json` output.
 *
 * @module
 */
import type { DeviceCodePrompt, ManualField, ManualHandoff, ManualHandoffRequest } from "@sn365/setup"
import * as Redacted from "effect/Redacted"
import type { Io } from "./Io.ts"
import { oneAtATime } from "./internal/oneAtATime.ts"
import type { ProgressView } from "./Progress.ts"

const YES = /^\s*y(es)?\s*$/i

/** Asks a yes/no question; anything but `y`/`yes` (including end of input) is no. */
export const askYesNo = async (io: Io, question: string): Promise<boolean> =>
  YES.test((await io.ask(`${question} [y/N] `)) ?? "")

/** Shows the device-code sign-in prompt on standard error, whatever the output mode. */
export const showDeviceCode =
  (view: ProgressView) =>
  (prompt: DeviceCodePrompt): void =>
    view.note(`\nSign in to Entra ID as an administrator: ${prompt.message}\n`)

// The labels of the admin-center form's secret fields (procedure §6.2) and the secret store names.
const SECRET_BY_LABEL: Record<string, string> = {
  "client secret": "inboundClientSecret",
  "rest user password": "integrationUserPassword",
}

/** What the hand-off needs to know about the run. */
export interface HandoffContext {
  readonly io: Io
  readonly view: ProgressView
  /** A person can answer questions on this terminal. */
  readonly interactive: boolean
  /** Secret values may be revealed (interactive and not `--json`). */
  readonly mayReveal: boolean
  /** The secrets file, if the run keeps one. */
  readonly secretsFile?: string
}

const whereIs = (field: ManualField, context: HandoffContext): string => {
  const name = SECRET_BY_LABEL[field.label.toLowerCase()]
  if (context.secretsFile !== undefined)
    return `stored in ${context.secretsFile}${name === undefined ? "" : ` as "${name}"`}`
  return context.mayReveal
    ? "not shown; you can ask to see it below"
    : "kept in memory only; re-run on a terminal, or with --secrets-file, to get it"
}

/** The instructions of a manual step: where to go and every field's label and value (secrets by location). */
export const renderHandoff = (request: ManualHandoffRequest, context: HandoffContext): string => {
  const width = Math.max(0, ...request.fields.map((f) => f.label.length))
  return [
    "",
    `Manual step: ${request.title}`,
    `Go to: ${request.location}`,
    "Enter these values:",
    ...request.fields.map(
      (f) =>
        `  ${f.label.padEnd(width)}  ${f.secret || Redacted.isRedacted(f.value) ? `(secret: ${whereIs(f, context)})` : String(f.value)}`,
    ),
    "",
  ].join("\n")
}

/**
 * The manual hand-off: prints the admin-center location and fields, then waits for the
 * administrator to confirm. Without an interactive terminal it prints the instructions and
 * declines, so apply stops with a message to run it again once the values are entered.
 *
 * Apply runs independent steps at once, so two hand-offs (M1 and M2) can arrive together: they are
 * taken one after the other, each with its own instructions and questions. Taken together, one
 * keystroke would answer both pending questions, the wrong one included ("show the secrets?").
 */
export const makeManualHandoff = (context: HandoffContext): ManualHandoff =>
  oneAtATime((request: ManualHandoffRequest) => handOff(context, request))

const handOff = async (context: HandoffContext, request: ManualHandoffRequest): Promise<boolean> => {
  const { io, view } = context
  view.note(renderHandoff(request, context))
  if (!context.interactive) {
    view.note(
      "No interactive terminal to confirm on: enter the values above in the admin center, then run `sn365 apply` again.",
    )
    return false
  }
  return view.suspend(async () => {
    const secrets = request.fields.filter((f) => f.secret || Redacted.isRedacted(f.value))
    if (
      secrets.length > 0 &&
      context.mayReveal &&
      (await askYesNo(io, "Show the secret values on this terminal?"))
    ) {
      const width = Math.max(0, ...secrets.map((f) => f.label.length))
      io.stderr(
        `${secrets
          .map(
            (f) =>
              `  ${f.label.padEnd(width)}  ${Redacted.isRedacted(f.value) ? Redacted.value(f.value) : f.value}`,
          )
          .join("\n")}\n`,
      )
    }
    return askYesNo(io, "Have you entered and saved these values in the admin center?")
  })
}
