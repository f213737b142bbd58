/**
 * Progress on standard error: a live step list with status and timings, redrawn in place with
 * ANSI escapes on a terminal, or one plain line per event in CI and pipes. Both are built from
 * the setup's typed events; neither ever sees a secret.
 *
 * @module
 */
import type { Phase, SetupEvent, StepOutcome } from "@sn365/setup"
import type { Io } from "./Io.ts"

/** How progress is shown. */
export type ProgressStyle = "live" | "plain" | "silent"

/** A step as the live list shows it. */
export interface StepLine {
  readonly step: string
  readonly title: string
  readonly status: "running" | "retrying" | "succeeded" | "failed" | "skipped"
  readonly startedAt: number
  readonly durationMs?: number
  readonly outcome?: StepOutcome
  /** The detail, skip reason, retry note or error message. */
  readonly note?: string
}

/** Formats a duration the way the step list shows it: `350ms`, `1.2s`, `2m 03s`. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`
}

const PHASE_TITLE: Record<Phase, string> = {
  preflight: "Preflight",
  observe: "Reading the current state",
  apply: "Applying",
  verify: "Verifying",
  teardown: "Tearing down",
}

const firstLine = (text: string) => text.split("\n")[0] ?? ""

/** One plain line per event (no colour, no cursor movement), or `undefined` for events not shown. */
export const formatPlainEvent = (event: SetupEvent, verbose = false): string | undefined => {
  switch (event._tag) {
    case "PhaseStarted":
      return `== ${PHASE_TITLE[event.phase]}`
    case "StepStarted":
      // One line per step is enough in logs; the start line helps only when diagnosing a slow step.
      return verbose ? `start  ${event.title}` : undefined
    case "StepSucceeded":
      return `ok     ${event.title}: ${event.outcome}${event.detail === undefined ? "" : ` (${event.detail})`} [${formatDuration(event.durationMs)}]`
    case "StepSkipped":
      return `skip   ${event.title}: ${event.reason}`
    case "StepRetrying":
      return `retry  ${event.title}: attempt ${event.attempt} in ${formatDuration(event.delayMs)}: ${firstLine(event.reason)}`
    case "StepFailed":
      return `FAIL   ${event.title}: ${verbose ? event.error.message : firstLine(event.error.message)} [${formatDuration(event.durationMs)}]`
    case "Warning":
      return `warning: ${event.message}`
  }
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

const paint = (color: boolean, code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text)

/** Options of {@link renderStepList}. */
export interface RenderOptions {
  readonly now: number
  readonly columns: number
  readonly color: boolean
  /** Spinner frame. */
  readonly frame?: number
}

const truncate = (text: string, width: number) =>
  text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`

/** Renders the live step list: one line per step with a status mark, its outcome or note, and a timing. */
export const renderStepList = (steps: ReadonlyArray<StepLine>, options: RenderOptions): Array<string> => {
  const titleWidth = Math.min(36, Math.max(0, ...steps.map((s) => s.title.length)))
  return steps.map((s) => {
    const elapsed = formatDuration(s.durationMs ?? options.now - s.startedAt)
    const [mark, markColor] =
      s.status === "succeeded"
        ? ["✓", "32"]
        : s.status === "failed"
          ? ["✗", "31"]
          : s.status === "skipped"
            ? ["-", "2"]
            : s.status === "retrying"
              ? ["↻", "33"]
              : [SPINNER[(options.frame ?? 0) % SPINNER.length] as string, "36"]
    const state =
      s.status === "succeeded"
        ? (s.outcome ?? "done")
        : s.status === "skipped"
          ? "skipped"
          : s.status === "failed"
            ? "failed"
            : s.status === "retrying"
              ? "retrying"
              : ""
    const note = s.note === undefined ? "" : `  ${firstLine(s.note)}`
    const plain = `  ${mark} ${truncate(s.title, titleWidth).padEnd(titleWidth)}  ${state.padEnd(8)}${note}`
    const timing = s.status === "skipped" ? "" : elapsed
    const room = options.columns - 1 - timing.length - 1
    const body = truncate(plain, Math.max(10, room)).padEnd(Math.max(10, room))
    const line = `${paint(options.color, markColor, body.slice(0, 3))}${body.slice(3)}`
    return timing === "" ? line.trimEnd() : `${line} ${paint(options.color, "2", timing)}`
  })
}

/** Receives setup events and shows them; also carries other output so it never tears the live list. */
export interface ProgressView {
  readonly onEvent: (event: SetupEvent) => void
  /** Prints lines on standard error (above the live list). */
  readonly note: (text: string) => void
  /** Prints lines on standard output (above the live list). */
  readonly print: (text: string) => void
  /** Runs `f` with the live list taken off the screen (for prompts). */
  readonly suspend: <A>(f: () => Promise<A>) => Promise<A>
  /** Stops redrawing and leaves the final list on screen. */
  readonly close: () => void
  /** Whether any progress has been shown. */
  readonly shown: () => boolean
}

const withNewline = (text: string) => (text.endsWith("\n") ? text : `${text}\n`)

/** Options of {@link makeProgressView}. */
export interface ProgressViewOptions {
  readonly style: ProgressStyle
  readonly verbose: boolean
  readonly color: boolean
  /** Clock, for tests. */
  readonly now?: () => number
  /** Redraw interval of the live list in milliseconds; 0 disables the timer (tests). Default 80. */
  readonly intervalMs?: number
}

/** Makes the progress view for a run. */
export const makeProgressView = (io: Io, options: ProgressViewOptions): ProgressView => {
  const now = options.now ?? Date.now
  if (options.style !== "live") {
    let shown = false
    return {
      onEvent: (event) => {
        if (options.style === "silent" && event._tag !== "Warning") return
        const line = formatPlainEvent(event, options.verbose)
        if (line === undefined) return
        shown = true
        io.stderr(`${line}\n`)
      },
      shown: () => shown,
      note: (text) => io.stderr(withNewline(text)),
      print: (text) => io.stdout(withNewline(text)),
      suspend: (f) => f(),
      close: () => {},
    }
  }

  let steps: Array<StepLine> = []
  let drawn = 0
  let frame = 0
  let timer: ReturnType<typeof setInterval> | undefined
  let suspended = false
  let shown = false

  const erase = () => {
    if (drawn > 0) io.stderr(`\x1b[${drawn}F\x1b[0J`)
    drawn = 0
  }
  const draw = () => {
    if (suspended || steps.length === 0) return
    const lines = renderStepList(steps, { now: now(), columns: io.columns(), color: options.color, frame })
    erase()
    io.stderr(`${lines.join("\n")}\n`)
    drawn = lines.length
    shown = true
  }
  const running = () => steps.some((s) => s.status === "running" || s.status === "retrying")
  const tick = () => {
    frame++
    draw()
    if (!running()) stopTimer()
  }
  const startTimer = () => {
    if (timer !== undefined || (options.intervalMs ?? 80) === 0) return
    io.stderr("\x1b[?25l")
    timer = setInterval(tick, options.intervalMs ?? 80)
    timer.unref?.()
  }
  const stopTimer = () => {
    if (timer === undefined) return
    clearInterval(timer)
    timer = undefined
    io.stderr("\x1b[?25h")
  }
  const update = (step: string, f: (line: StepLine) => StepLine) => {
    steps = steps.map((line) => (line.step === step ? f(line) : line))
  }
  // Output while steps run goes above the list, which stays at the bottom; once nothing runs, the
  // list is final: it stays where it is and later output goes below it.
  const freeze = () => {
    draw()
    stopTimer()
    drawn = 0
    steps = []
  }
  const above = (write: () => void) => {
    if (!running()) {
      freeze()
      write()
      return
    }
    erase()
    write()
    draw()
  }

  return {
    onEvent: (event) => {
      switch (event._tag) {
        case "PhaseStarted":
          // Leave the finished list where it is and start a new one under a heading.
          draw()
          drawn = 0
          steps = []
          io.stderr(`${paint(options.color, "1", PHASE_TITLE[event.phase])}\n`)
          shown = true
          return
        case "StepStarted":
          if (steps.some((s) => s.step === event.step))
            update(event.step, (s) => ({ step: s.step, title: s.title, status: "running", startedAt: now() }))
          else steps.push({ step: event.step, title: event.title, status: "running", startedAt: now() })
          startTimer()
          break
        case "StepSucceeded":
          update(event.step, (s) => ({
            ...s,
            status: "succeeded",
            outcome: event.outcome,
            durationMs: event.durationMs,
            ...(event.detail === undefined ? {} : { note: event.detail }),
          }))
          break
        case "StepSkipped":
          if (!steps.some((s) => s.step === event.step))
            steps.push({ step: event.step, title: event.title, status: "skipped", startedAt: now() })
          update(event.step, (s) => ({ ...s, status: "skipped", note: event.reason }))
          break
        case "StepRetrying":
          update(event.step, (s) => ({
            ...s,
            status: "retrying",
            note: `attempt ${event.attempt} in ${formatDuration(event.delayMs)}: ${firstLine(event.reason)}`,
          }))
          break
        case "StepFailed":
          update(event.step, (s) => ({
            ...s,
            status: "failed",
            durationMs: event.durationMs,
            note: event.error.message,
          }))
          break
        case "Warning":
          above(() => io.stderr(`${paint(options.color, "33", "warning:")} ${event.message}\n`))
          return
      }
      draw()
    },
    note: (text) => above(() => io.stderr(withNewline(text))),
    print: (text) => above(() => io.stdout(withNewline(text))),
    suspend: async (f) => {
      erase()
      suspended = true
      try {
        return await f()
      } finally {
        suspended = false
        draw()
      }
    },
    close: freeze,
    shown: () => shown,
  }
}
