/**
 * The manual hand-off of the Microsoft 365 admin-center form (`microsoft365.mode: "manual"`): the
 * form never had a public API, so on real services an administrator enters the values by hand.
 * sn365 calls this with the location and every field's label and value, and waits for the answer.
 *
 * Secret values stay hidden unless the administrator types `show`; `done` confirms the form is
 * saved; anything else stops the run (run it again later: it resumes where it stopped).
 */
import { createInterface, type Interface } from "node:readline"
import type { ManualHandoff } from "@sn365/setup"
import { Redacted } from "effect"

// One reader for the whole run, so answers typed (or piped) ahead of a question are kept. It is
// paused between questions: a paused standard input does not keep the process alive.
let reader: { readonly rl: Interface; readonly lines: AsyncIterator<string> } | undefined
const answer = async (question: string): Promise<string> => {
  process.stderr.write(question)
  if (reader === undefined) {
    const rl = createInterface({ input: process.stdin })
    reader = { rl, lines: rl[Symbol.asyncIterator]() }
  }
  reader.rl.resume()
  const next = await reader.lines.next()
  reader.rl.pause()
  return next.done ? "" : next.value.trim().toLowerCase()
}

const ask: ManualHandoff = async (request) => {
  const width = Math.max(...request.fields.map((field) => field.label.length))
  const show = (reveal: boolean) =>
    request.fields.map((field) => {
      const value = Redacted.isRedacted(field.value)
        ? reveal
          ? Redacted.value(field.value)
          : "(secret: type show to see it)"
        : field.value
      return `  ${field.label.padEnd(width)}  ${value}`
    })
  console.error(`\nManual step ${request.step}: ${request.title}\nGo to: ${request.location}`)
  console.error(show(false).join("\n"))
  const secrets = request.fields.some((field) => field.secret)
  for (;;) {
    const reply = await answer(
      `Type done once saved${secrets ? ", show to see the secret values" : ""}, anything else to stop: `,
    )
    if (reply === "done") return true
    if (reply !== "show" || !secrets) return false
    console.error(show(true).join("\n"))
  }
}

// Steps on independent branches may hand off at the same time: ask one question at a time.
let queue: Promise<unknown> = Promise.resolve()

/** Prints a manual step on standard error and waits for the administrator's answer. */
export const terminalHandoff: ManualHandoff = (request) => {
  const answered = queue.then(() => ask(request))
  queue = answered.catch(() => {})
  return answered
}
