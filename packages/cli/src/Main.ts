/**
 * Runs `sn365` as the process's main program: Node services, Ctrl-C handling, and the exit code.
 *
 * @module
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Effect from "effect/Effect"
import { run } from "./Cli.ts"

/** Runs `sn365` with `args` and sets the process's exit code; Ctrl-C exits with 130. */
export const main = (args: ReadonlyArray<string>): void =>
  NodeRuntime.runMain(
    run(args).pipe(
      Effect.flatMap((code) =>
        Effect.sync(() => {
          process.exitCode = code
        }),
      ),
      Effect.provide(NodeServices.layer),
    ),
    { disableErrorReporting: true },
  )
