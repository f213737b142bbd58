/**
 * Runs `sn365` as the process's main program: Node services, Ctrl-C handling, and the exit code.
 *
 * @module
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import { interruptedExitCode, run } from "./Cli.ts"

/** Runs `sn365` with `args` and sets the process's exit code; Ctrl-C exits with 130 (0 for `emulator`). */
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
    {
      disableErrorReporting: true,
      teardown: (exit, onExit) =>
        Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
          ? onExit(interruptedExitCode(args))
          : Runtime.defaultTeardown(exit, onExit),
    },
  )
