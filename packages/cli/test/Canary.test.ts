/**
 * Canary: secrets given through the environment — and secrets the setup generates — never appear
 * in any output mode (text, plain, live, quiet, verbose, JSON), in success or in failure.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import type * as SetupModule from "@sn365/setup"
import { Effect, Redacted } from "effect"
import { describe, expect, it, vi } from "vitest"
import { stringify } from "yaml"
import {
  applyResult,
  discoveryReport,
  GENERATED_SECRET,
  plan,
  teardownReport,
  verifyFail,
} from "./fixtures.ts"
import { CANARY, configFile, runCli, tempDir } from "./harness.ts"

const mode = vi.hoisted(() => ({ fail: false }))

vi.mock("@sn365/setup", async (importOriginal) => {
  const actual = await importOriginal<typeof SetupModule>()
  type Options = SetupModule.SetupOptions & {
    readonly confirm?: (plan: SetupModule.Plan) => Promise<boolean>
  }
  const maybeFail = <A>(value: A) =>
    mode.fail ? Effect.die(new Error("the setup failed unexpectedly")) : Effect.succeed(value)
  return {
    ...actual,
    plan: () => maybeFail(plan),
    apply: (_config: SetupModule.SetupConfig, options: Options) =>
      Effect.gen(function* () {
        yield* Effect.promise(() => options.confirm?.(plan) ?? Promise.resolve(true))
        yield* Effect.promise(
          () =>
            options.manualHandoff?.({
              step: "m365.repository",
              title: "Add the repository",
              location: "Microsoft 365 admin center",
              fields: [
                { label: "Client secret", value: Redacted.make(GENERATED_SECRET), secret: true },
                { label: "Rest user password", value: Redacted.make(GENERATED_SECRET), secret: true },
              ],
            }) ?? Promise.resolve(true),
        )
        return yield* maybeFail(applyResult)
      }),
    verify: () => maybeFail(verifyFail),
    teardown: () => maybeFail(teardownReport),
    discover: () => maybeFail(discoveryReport),
  }
})

const everySecretEnv = {
  SN365_SERVICENOW_PASSWORD: CANARY.servicenowPassword,
  SN365_SERVICENOW_TOKEN: CANARY.servicenowToken,
  SN365_SERVICENOW_CLIENT_SECRET: CANARY.servicenowClientSecret,
  SN365_ENTRA_CLIENT_SECRET: CANARY.entraClientSecret,
  SN365_ENTRA_PRIVATE_KEY: CANARY.entraPrivateKey,
}

const secrets = [...Object.values(CANARY), GENERATED_SECRET]

const modes: ReadonlyArray<ReadonlyArray<string>> = [
  [],
  ["--json"],
  ["--quiet"],
  ["--verbose"],
  ["--json", "--verbose"],
]
const commands: ReadonlyArray<ReadonlyArray<string>> = [
  ["plan"],
  ["apply", "--yes"],
  ["apply", "--yes", "--m365-mode", "manual"],
  ["verify"],
  ["teardown", "--yes"],
  ["discover"],
]
const terminals = [{}, { stdin: true, stdout: true, stderr: true }] as const

describe("canary: no secret in any output", () => {
  it("across every command, output mode and terminal, in success and failure", async () => {
    const dir = await tempDir()
    // The file also holds a secret (with a warning): it must not be echoed either.
    await writeFile(
      join(dir, "sn365.config.yaml"),
      stringify({
        ...configFile,
        servicenow: {
          ...configFile.servicenow,
          auth: { ...configFile.servicenow.auth, password: CANARY.servicenowPassword },
        },
      }),
    )
    let runs = 0
    for (const fail of [false, true]) {
      mode.fail = fail
      for (const command of commands)
        for (const flags of modes)
          for (const tty of terminals) {
            const result = await runCli([...command, ...flags], {
              cwd: dir,
              env: everySecretEnv,
              tty,
              // On a terminal the hand-off is answered "no" to showing secrets.
              answers: ["n", "y", "y"],
            })
            runs++
            const output = result.stdout + result.stderr
            for (const secret of secrets)
              expect(output, `${command.join(" ")} ${flags.join(" ")} tty=${"stdin" in tty}`).not.toContain(
                secret,
              )
          }
    }
    expect(runs).toBe(2 * commands.length * modes.length * terminals.length)
  })

  it("in configuration errors, whatever the secret's shape", async () => {
    const dir = await tempDir()
    await writeFile(
      join(dir, "sn365.config.yaml"),
      stringify({
        servicenow: { instance: "bad instance", auth: { password: 123456789 } },
        entra: { tenant: "x" },
      }),
    )
    for (const flags of [[], ["--json"], ["--verbose"]]) {
      const result = await runCli(["plan", ...flags], {
        cwd: dir,
        env: { SN365_ENTRA_CLIENT_SECRET: CANARY.entraClientSecret },
      })
      expect(result.code).toBe(2)
      expect(result.stdout + result.stderr).not.toContain(CANARY.entraClientSecret)
      expect(result.stdout + result.stderr).not.toContain("123456789")
    }
  })
})
