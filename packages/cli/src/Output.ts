/**
 * How a run talks to its user, decided once from the flags and the terminal: a live step list on
 * a terminal, plain lines in CI or a pipe, nothing but the result with `--quiet`, and one JSON
 * document on standard output with `--json`.
 *
 * @module
 */
import type { Io } from "./Io.ts"
import type { ProgressStyle } from "./Progress.ts"

/** The output flags every operation takes. */
export interface OutputFlags {
  readonly json: boolean
  readonly quiet: boolean
  readonly verbose: boolean
}

/** The output decisions of a run. */
export interface Output extends OutputFlags {
  readonly progress: ProgressStyle
  /** ANSI colours on standard error. */
  readonly color: boolean
  /** Whether the user can be asked a question (standard input and error are terminals, not CI). */
  readonly interactive: boolean
}

const truthy = (value: string | undefined) =>
  value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false"

/** Whether the environment says this is a CI run (`CI` set to anything but `false`/`0`). */
export const isCI = (env: Io["env"]): boolean => truthy(env.CI)

/**
 * Chooses the output:
 *
 * - progress is `silent` with `--quiet`, and with `--json` unless `--verbose` (then `plain`);
 * - otherwise `live` when standard error is a terminal, `CI` is not set and `TERM` is not `dumb`;
 * - otherwise `plain`, one line per event.
 */
export const chooseOutput = (io: Io, flags: OutputFlags): Output => {
  const terminal = io.stderrIsTTY && !isCI(io.env) && io.env.TERM !== "dumb"
  const progress: ProgressStyle = flags.quiet
    ? "silent"
    : flags.json
      ? flags.verbose
        ? "plain"
        : "silent"
      : terminal
        ? "live"
        : "plain"
  return {
    ...flags,
    progress,
    // no-color.org: a NO_COLOR that is set and not empty turns colour off.
    color: progress === "live" && (io.env.NO_COLOR ?? "") === "",
    interactive: io.stdinIsTTY && io.stderrIsTTY && !isCI(io.env),
  }
}
