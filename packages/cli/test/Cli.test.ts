/**
 * The whole command, in-process, with the setup's operations replaced by fakes that return the
 * synthetic results of `fixtures.ts` (the setup's bodies are not written yet; `E2E.test.ts` runs
 * the real thing against the emulator).
 */

import { readFile, stat, writeFile } from "node:fs/promises"
import { createServer } from "node:http"
import { join } from "node:path"
import type * as SetupModule from "@sn365/setup"
import type { SetupOptions } from "@sn365/setup"
import { Effect, Redacted } from "effect"
import { beforeEach, describe, expect, it, vi } from "vitest"
import { stringify } from "yaml"
import { loadConfig } from "../src/ConfigLoader.ts"
import {
  applyResult,
  discoveryReport,
  events,
  GENERATED_SECRET,
  plan,
  teardownReport,
  verifyFail,
  verifyPass,
} from "./fixtures.ts"
import { CANARY, configFile, runCli, schemaErrors, secretEnv, tempDir } from "./harness.ts"

type Options = SetupOptions & { readonly confirm?: (plan: SetupModule.Plan) => Promise<boolean> }
type Op<A> = (config: SetupModule.SetupConfig, options: Options) => Effect.Effect<A, SetupModule.SetupError>

const fake = vi.hoisted(() => ({
  calls: [] as Array<{ readonly op: string; readonly options: unknown }>,
  plan: undefined as unknown,
  apply: undefined as unknown,
  verify: undefined as unknown,
  teardown: undefined as unknown,
  discover: undefined as unknown,
}))

vi.mock("@sn365/setup", async (importOriginal) => {
  const actual = await importOriginal<typeof SetupModule>()
  const op =
    (name: "plan" | "apply" | "verify" | "teardown" | "discover") =>
    (config: SetupModule.SetupConfig, options: Options = {}) => {
      fake.calls.push({ op: name, options })
      return (fake[name] as Op<unknown>)(config, options)
    }
  return {
    ...actual,
    plan: op("plan"),
    apply: op("apply"),
    verify: op("verify"),
    teardown: op("teardown"),
    discover: op("discover"),
  }
})

/**
 * A tagged error as the setup fails with, built structurally so these tests do not depend on the
 * constructors' fields (the CLI reads only `_tag`, `message`, `remedy`, `problems`, `failed`).
 */
const setupError = (tag: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { _tag: tag, ...extra }) as unknown as SetupModule.SetupError

const emit = (options: Options) => {
  for (const event of events.slice(0, 6)) options.onEvent?.(event)
}

beforeEach(() => {
  fake.calls.length = 0
  fake.plan = ((_config, options) =>
    Effect.sync(() => {
      emit(options)
      return plan
    })) satisfies Op<SetupModule.Plan>
  fake.apply = ((_config, options) =>
    Effect.gen(function* () {
      const ok = yield* Effect.promise(() => options.confirm?.(plan) ?? Promise.resolve(true))
      if (!ok) return { ...applyResult, steps: [] }
      emit(options)
      if (options.secrets !== undefined)
        yield* options.secrets.put("entraClientSecret", Redacted.make(GENERATED_SECRET))
      return applyResult
    })) satisfies Op<SetupModule.ApplyResult>
  fake.verify = (() => Effect.succeed(verifyPass)) satisfies Op<SetupModule.VerifyReport>
  fake.teardown = (() => Effect.succeed(teardownReport)) satisfies Op<SetupModule.TeardownReport>
  fake.discover = (() => Effect.succeed(discoveryReport)) satisfies Op<SetupModule.DiscoveryReport>
})

/** A directory with a valid sn365.config.yaml. */
const project = async () => {
  const dir = await tempDir()
  await writeFile(join(dir, "sn365.config.yaml"), stringify(configFile))
  return dir
}

const cli = async (args: ReadonlyArray<string>, options: Parameters<typeof runCli>[1] = {}) =>
  runCli(args, { cwd: await project(), ...options, env: { ...secretEnv, ...options.env } })

const terminal = { stdin: true, stdout: true, stderr: true } as const

describe("help and version", () => {
  it("--help lists every command (exit 0)", async () => {
    const result = await runCli(["--help"])
    expect(result.code).toBe(0)
    for (const command of ["plan", "apply", "verify", "teardown", "discover", "demo", "emulator", "init"])
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"))
    expect(result.stderr).toBe("")
  })

  it("each command has --help, naming the environment variables", async () => {
    for (const command of ["plan", "apply", "verify", "teardown", "discover", "demo", "emulator", "init"]) {
      const result = await runCli([command, "--help"])
      expect(result.code, command).toBe(0)
      expect(result.stdout).toContain(`sn365 ${command}`)
    }
    expect((await runCli(["apply", "--help"])).stdout).toContain("SN365_EMULATOR_URL")
  })

  it("--version prints the package version, also on a command", async () => {
    const { version } = JSON.parse(await readFile(join(import.meta.dirname, "..", "package.json"), "utf8"))
    expect((await runCli(["--version"])).stdout).toBe(`sn365 v${version}\n`)
    expect((await runCli(["plan", "--version"])).code).toBe(0)
  })

  it("bare sn365 shows help and exits 0", async () => {
    const result = await runCli([])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("SUBCOMMANDS")
  })
})

describe("exit code 2: bad usage or configuration", () => {
  it("an unknown flag or command is reported briefly on stderr", async () => {
    const flag = await runCli(["plan", "--bogus"])
    expect(flag.code).toBe(2)
    expect(flag.stdout).toBe("")
    expect(flag.stderr).toContain("Unrecognized flag: --bogus")
    expect(flag.stderr).toContain("Run 'sn365 plan --help' for usage.")
    expect((await runCli(["frobnicate"])).code).toBe(2)
  })

  it("a usage error with --json still prints one valid JSON document", async () => {
    const result = await runCli(["plan", "--json", "--port", "1"])
    expect(result.code).toBe(2)
    const document = JSON.parse(result.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.error.tag).toBe("UsageError")
  })

  it("a mistyped command with --json still prints a document, with command null", async () => {
    const result = await runCli(["aply", "--json"])
    expect(result.code).toBe(2)
    const document = JSON.parse(result.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.command).toBeNull()
    expect(document.error.message).toContain('Unknown subcommand "aply"')
    expect(document.error.message).not.toContain("--json")
  })

  it("a bad config lists every problem, in text and in JSON", async () => {
    const dir = await tempDir()
    await writeFile(join(dir, "sn365.config.yaml"), stringify({ servicenow: { instance: "bad instance!" } }))
    const text = await runCli(["plan"], { cwd: dir })
    expect(text.code).toBe(2)
    expect(text.stderr).toMatchInlineSnapshot(`
      "Error: The configuration has 6 problems (file: ${join(dir, "sn365.config.yaml")}):
        - servicenow.instance: must be an instance name such as 'dev12345' or an https URL such as 'https://dev12345.service-now.com' (from sn365.config.yaml)
        - servicenow.auth.username: missing: set it in the config file, or with --servicenow-user or SN365_SERVICENOW_USERNAME
        - servicenow.auth.password: missing: set the environment variable SN365_SERVICENOW_PASSWORD (secrets are never read from flags)
        - entra.tenant: missing: set it in the config file, or with --tenant or SN365_TENANT
        - entra.auth.clientId: missing: set it in the config file, or with --entra-client-id or SN365_ENTRA_CLIENT_ID
        - integration.m365AdminEmail: missing: set it in the config file, or with --admin-email or SN365_ADMIN_EMAIL
      "
    `)
    const json = await runCli(["plan", "--json"], { cwd: dir })
    expect(json.code).toBe(2)
    const document = JSON.parse(json.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.error.problems).toHaveLength(6)
    expect(fake.calls).toEqual([])
  })

  it("apply without a terminal and without --yes refuses before touching anything", async () => {
    const result = await cli(["apply"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      "apply needs confirmation, and there is no interactive terminal to ask on.",
    )
    expect(result.stderr).toContain("run again with --yes")
    expect(fake.calls).toEqual([])
    expect((await cli(["teardown"])).code).toBe(2)
  })

  it("a bad --emulator URL is a usage error", async () => {
    const result = await cli(["plan", "--emulator", "not a url"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--emulator must be the emulator's http(s) origin")
  })
})

describe("plan", () => {
  it("prints the plan on stdout and plain progress on stderr when not a terminal (golden)", async () => {
    const result = await cli(["plan"])
    expect(result.code).toBe(0)
    await expect(result.stdout).toMatchFileSnapshot("golden/plan.txt")
    expect(result.stderr).not.toContain("\x1b[")
    expect(result.stderr).toContain("ok     Entra app registration: created (appId 0f0e0d0c) [1.2s]")
  })

  it("--json prints exactly one valid document and no progress", async () => {
    const result = await cli(["plan", "--json"])
    expect(result.code).toBe(0)
    const document = JSON.parse(result.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document).toMatchObject({ command: "plan", ok: true, exitCode: 0 })
    expect(document.plan.changes).toHaveLength(plan.changes.length)
    expect(result.stderr).toBe("")
  })

  it("draws a live list with ANSI on a terminal, and plain lines when CI is set", async () => {
    const live = await cli(["plan"], { tty: terminal })
    expect(live.stderr).toContain("\x1b[")
    expect(live.stderr).toContain("✓")
    const ci = await cli(["plan"], { tty: terminal, env: { CI: "true" } })
    expect(ci.stderr).not.toContain("\x1b[")
    expect(ci.stderr).toContain("ok     Entra app registration")
  })

  it("--quiet shows no progress; --verbose shows where each setting came from", async () => {
    const quiet = await cli(["plan", "--quiet"])
    expect(quiet.stderr).toBe("")
    expect(quiet.stdout).toContain("Plan: 3 to create")
    const verbose = await cli(["plan", "--verbose", "--instance", "dev999"])
    expect(verbose.stderr).toMatch(/servicenow\.instance\s+from --instance/)
    expect(verbose.stderr).toMatch(/servicenow\.auth\.password\s+from SN365_SERVICENOW_PASSWORD/)
  })

  it("shows the device-code prompt on stderr in every mode", async () => {
    fake.plan = ((_config, options) =>
      Effect.sync(() => {
        options.onDeviceCode?.({
          message: "To sign in, open https://microsoft.com/devicelogin and enter the code ABCD-1234.",
          userCode: "ABCD-1234",
          verificationUri: "https://microsoft.com/devicelogin",
        })
        return plan
      })) satisfies Op<SetupModule.Plan>
    for (const flags of [[], ["--json"], ["--quiet"]]) {
      const result = await cli(["plan", ...flags])
      expect(result.stderr).toContain("enter the code ABCD-1234")
      expect(result.stdout).not.toContain("ABCD-1234")
    }
  })

  it("--emulator and SN365_EMULATOR_URL route every vendor host to the emulator", async () => {
    const seen: Array<string> = []
    const server = createServer((request, response) => {
      seen.push(`${request.headers["x-forwarded-host"]} ${request.url}`)
      response.end("{}")
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const address = server.address()
    const origin = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
    fake.plan = ((_config, options) =>
      Effect.promise(async () => {
        for (const url of [
          "https://dev12345.service-now.com/api/now/table/sys_user",
          "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
          "https://graph.microsoft.com/v1.0/applications",
          "https://admin.microsoft.com/modeled/supportIntegration/v1/x",
        ])
          await options.fetch?.(new Request(url))
        return plan
      })) satisfies Op<SetupModule.Plan>
    try {
      const flag = await cli(["plan", "--json", "--emulator", origin])
      expect(JSON.parse(flag.stdout).emulator).toBe(origin)
      const env = await cli(["plan"], { env: { SN365_EMULATOR_URL: `${origin}/` } })
      expect(env.stderr).toContain(`Using the emulator at ${origin}`)
    } finally {
      server.close()
    }
    // Each run first checks that the emulator answers at its origin, then routes every host to it.
    const routed = [
      "dev12345.service-now.com /api/now/table/sys_user",
      "login.microsoftonline.com /contoso.onmicrosoft.com/oauth2/v2.0/token",
      "graph.microsoft.com /v1.0/applications",
      "admin.microsoft.com /modeled/supportIntegration/v1/x",
    ]
    expect(seen).toEqual(["undefined /", ...routed, "undefined /", ...routed])
  })
})

describe("apply", () => {
  it("--yes applies without asking and prints the plan and a summary (golden)", async () => {
    const result = await cli(["apply", "--yes"])
    expect(result.code).toBe(0)
    expect(result.questions).toEqual([])
    await expect(result.stdout).toMatchFileSnapshot("golden/apply.txt")
    expect(result.stdout).not.toContain(GENERATED_SECRET)
  })

  it("asks on a terminal: no cancels (exit 1), yes applies", async () => {
    const no = await cli(["apply"], { tty: terminal, answers: ["n"] })
    expect(no.questions).toEqual(["Apply these changes? [y/N] "])
    expect(no.code).toBe(1)
    expect(no.stderr).toContain("Cancelled; nothing was changed.")
    const yes = await cli(["apply"], { tty: terminal, answers: ["y"] })
    expect(yes.code).toBe(0)
    expect(yes.stdout).toContain("Apply complete")
  })

  it("--json reports the secrets by name and where they went, never their values", async () => {
    const result = await cli(["apply", "--yes", "--json"])
    const document = JSON.parse(result.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.apply.secrets).toEqual({
      generated: ["entraClientSecret", "integrationUserPassword"],
      storedIn: null,
    })
    expect(result.stdout + result.stderr).not.toContain(GENERATED_SECRET)
  })

  it("--secrets-file keeps generated secrets in a 0600 JSON file", async () => {
    const dir = await project()
    const result = await runCli(["apply", "--yes", "--json", "--secrets-file", "out/secrets.json"], {
      cwd: dir,
      env: secretEnv,
    })
    const path = join(dir, "out", "secrets.json")
    expect(JSON.parse(result.stdout).apply.secrets.storedIn).toBe(path)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ entraClientSecret: GENERATED_SECRET })
    const text = await runCli(["apply", "--yes"], {
      cwd: dir,
      env: { ...secretEnv, SN365_SECRETS_FILE: path },
    })
    expect(text.stdout).toContain(`were written to ${path} (mode 0600)`)
  })

  it("a failed step exits 1 with the message and remedy, and no stack, not even with --verbose", async () => {
    fake.apply = (() =>
      Effect.fail(
        setupError(
          "ApplyFailed",
          "Step 'Outbound OAuth provider' failed: ACL Exception Insert Failed\nRemedy: Use an account with oauth_admin.\n1 step(s) completed and stay in place.",
        ),
      )) satisfies Op<SetupModule.ApplyResult>
    const result = await cli(["apply", "--yes"])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      "Error: Step 'Outbound OAuth provider' failed: ACL Exception Insert Failed",
    )
    expect(result.stderr).toContain("Remedy: Use an account with oauth_admin.")
    expect(result.stderr).not.toMatch(/^\s+at /m)
    // An expected failure's message and remedy are the whole story (cli README, exit codes).
    const verbose = await cli(["apply", "--yes", "--verbose"])
    expect(verbose.stderr).toContain("Remedy: Use an account with oauth_admin.")
    expect(verbose.stderr).not.toMatch(/^\s+at /m)
    const json = await cli(["apply", "--yes", "--json"])
    const document = JSON.parse(json.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.error.tag).toBe("ApplyFailed")
  })

  it("--json lists every failed step of a run, each with its own error", async () => {
    fake.apply = (() =>
      Effect.fail(
        setupError("ApplyFailed", "Step 'App registration (outbound)' failed: …", {
          step: "entra.app",
          error: { tag: "InsufficientPrivileges", message: "403" },
          completed: [],
          notStarted: ["entra.secret"],
          alsoFailed: [
            {
              step: "servicenow.inboundClient",
              title: "Inbound",
              error: { tag: "AclDenied", message: "ACL" },
            },
          ],
        }),
      )) satisfies Op<SetupModule.ApplyResult>
    const json = await cli(["apply", "--yes", "--json"])
    const document = JSON.parse(json.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.error).toMatchObject({
      failedStep: "entra.app",
      stepError: { tag: "InsufficientPrivileges" },
      alsoFailed: [{ step: "servicenow.inboundClient", error: { tag: "AclDenied", message: "ACL" } }],
    })
  })

  it("an unexpected error exits 1; its stack appears only with --verbose", async () => {
    fake.apply = (() => Effect.die(new Error("boom"))) satisfies Op<SetupModule.ApplyResult>
    const plain = await cli(["apply", "--yes"])
    expect(plain.code).toBe(1)
    expect(plain.stderr).toContain("Error: boom")
    expect(plain.stderr).not.toMatch(/^\s+at /m)
    const verbose = await cli(["apply", "--yes", "--verbose"])
    expect(verbose.stderr).toMatch(/^\s+at /m)
    const json = JSON.parse((await cli(["apply", "--yes", "--json"])).stdout)
    expect(json.error).toEqual({ tag: "UnexpectedError", message: "boom" })
    // An untagged error that fails the ordinary way is just as unexpected.
    fake.apply = (() =>
      Effect.fail(
        new Error("untagged") as unknown as SetupModule.SetupError,
      )) satisfies Op<SetupModule.ApplyResult>
    const untagged = await cli(["apply", "--yes", "--verbose"])
    expect(untagged.stderr).toContain("untagged")
    expect(untagged.stderr).toMatch(/^\s+at /m)
  })

  it("an InvalidConfig from the setup itself exits 2", async () => {
    fake.apply = (() =>
      Effect.fail(
        setupError("InvalidConfig", "The configuration has 1 problem", {
          problems: [{ path: ["roles"], message: "unknown user" }],
        }),
      )) satisfies Op<SetupModule.ApplyResult>
    expect((await cli(["apply", "--yes"])).code).toBe(2)
  })
})

describe("manual hand-off", () => {
  const request: SetupModule.ManualHandoffRequest = {
    step: "m365.repository",
    title: "Add the repository in the Microsoft 365 admin center",
    location:
      "Microsoft 365 admin center → Settings → Org settings → Organization profiles → support integration → Repositories",
    fields: [
      { label: "Repository", value: "dev12345", secret: false },
      { label: "Client ID", value: "a1b2c3d4e5f6", secret: false },
      { label: "Client secret", value: Redacted.make(GENERATED_SECRET), secret: true },
      { label: "Rest user password", value: Redacted.make(GENERATED_SECRET), secret: true },
    ],
  }
  beforeEach(() => {
    fake.apply = ((_config, options) =>
      Effect.gen(function* () {
        const confirmed = yield* Effect.promise(
          () => options.manualHandoff?.(request) ?? Promise.resolve(false),
        )
        if (!confirmed)
          return yield* Effect.fail(
            setupError("ManualStepNotConfirmed", `The manual step '${request.title}' was not confirmed.`),
          )
        return applyResult
      })) satisfies Op<SetupModule.ApplyResult>
  })

  it("without a terminal: prints where and what, secrets by location only, then stops (exit 1)", async () => {
    const result = await cli(["apply", "--yes", "--m365-mode", "manual", "--secrets-file", "s.json"])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("Go to: Microsoft 365 admin center → Settings")
    expect(result.stderr).toMatch(/Repository\s+dev12345/)
    expect(result.stderr).toMatch(/Client secret\s+\(secret: stored in .*s\.json as "inboundClientSecret"\)/)
    expect(result.stderr).toContain("run `sn365 apply` again")
    expect(result.stdout + result.stderr).not.toContain(GENERATED_SECRET)
  })

  it("on a terminal: shows secrets only after an explicit yes, then waits for confirmation", async () => {
    const declined = await cli(["apply", "--yes"], { tty: terminal, answers: ["n", "y"] })
    expect(declined.questions).toEqual([
      "Show the secret values on this terminal? [y/N] ",
      "Have you entered and saved these values in the admin center? [y/N] ",
    ])
    expect(declined.stderr).not.toContain(GENERATED_SECRET)
    expect(declined.code).toBe(0)
    const shown = await cli(["apply", "--yes"], { tty: terminal, answers: ["y", "y"] })
    expect(shown.stderr).toMatch(new RegExp(`Client secret\\s+${GENERATED_SECRET}`))
    expect(shown.stdout).not.toContain(GENERATED_SECRET)
  })

  it("takes hand-offs that arrive together one at a time, each with its own questions", async () => {
    // Both with secrets: each asks whether to show them before asking whether it is done.
    const basicInformation: SetupModule.ManualHandoffRequest = {
      ...request,
      step: "M1",
      title: "Basic information",
    }
    fake.apply = ((_config, options) =>
      Effect.gen(function* () {
        // As apply runs M1 and M2: at once.
        const answers = yield* Effect.promise(() =>
          Promise.all([options.manualHandoff?.(basicInformation), options.manualHandoff?.(request)]),
        )
        if (answers.some((confirmed) => confirmed !== true))
          return yield* Effect.fail(setupError("ManualStepNotConfirmed", "not confirmed"))
        return applyResult
      })) satisfies Op<SetupModule.ApplyResult>
    const result = await cli(["apply", "--yes"], { tty: terminal, answers: ["n", "y", "n", "y"] })
    expect(result.questions).toEqual([
      "Show the secret values on this terminal? [y/N] ",
      "Have you entered and saved these values in the admin center? [y/N] ",
      "Show the secret values on this terminal? [y/N] ",
      "Have you entered and saved these values in the admin center? [y/N] ",
    ])
    expect(result.stderr).not.toContain(GENERATED_SECRET)
    expect(result.code).toBe(0)
  })

  it("never offers to show secrets with --json", async () => {
    const result = await cli(["apply", "--yes", "--json"], { tty: terminal, answers: ["y"] })
    expect(result.questions).toEqual(["Have you entered and saved these values in the admin center? [y/N] "])
    expect(result.stdout + result.stderr).not.toContain(GENERATED_SECRET)
    expect(await schemaErrors(JSON.parse(result.stdout))).toBeUndefined()
  })
})

describe("verify, teardown, discover", () => {
  it("verify exits 0 when every check passes and 3 when one fails", async () => {
    const pass = await cli(["verify"])
    expect(pass.code).toBe(0)
    expect(pass.stdout).toContain("Verification passed: 3 passed, 0 failed, 1 skipped.")
    fake.verify = (() => Effect.succeed(verifyFail)) satisfies Op<SetupModule.VerifyReport>
    const fail = await cli(["verify"])
    expect(fail.code).toBe(3)
    expect(fail.stdout).toContain("Remedy: re-run apply with --fix-cross-scope")
    const json = await cli(["verify", "--json"])
    expect(json.code).toBe(3)
    const document = JSON.parse(json.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document).toMatchObject({ ok: false, exitCode: 3, error: { tag: "VerificationFailed" } })
  })

  it("teardown asks first on a terminal, and runs with --yes", async () => {
    const asked = await cli(["teardown"], { tty: terminal, answers: ["n"] })
    expect(asked.code).toBe(1)
    expect(asked.questions[0]).toContain(
      'Remove everything sn365 manages (prefix "sn365") from https://dev12345.service-now.com',
    )
    expect(fake.calls).toEqual([])
    const result = await cli(["teardown", "--yes"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Teardown complete: 1 removed, 1 already absent.")
  })

  it("discover prints the app and never a password property's value", async () => {
    const result = await cli(["discover"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("wizard generation C")
    expect(result.stdout).toContain("x_mioms_m365_assis.client_secret [password2] = (secret)")
    expect(result.stdout).not.toContain(GENERATED_SECRET)
    const json = await cli(["discover", "--json"])
    expect(await schemaErrors(JSON.parse(json.stdout))).toBeUndefined()
  })
})

describe("init", () => {
  it("writes a commented starter config and refuses to overwrite without --force", async () => {
    const dir = await tempDir()
    const first = await runCli(["init"], { cwd: dir })
    expect(first.code).toBe(0)
    const text = await readFile(join(dir, "sn365.config.yaml"), "utf8")
    expect(text).toContain("# sn365 configuration")
    expect(text).not.toMatch(/^\s*(password|clientSecret|privateKey|token):/m)
    const again = await runCli(["init"], { cwd: dir })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("already exists")
    expect((await runCli(["init", "--force"], { cwd: dir })).code).toBe(0)
    // YAML under a .json name would be refused by the loader: it is refused here instead.
    const json = await runCli(["init", "--output", "sn365.config.json"], { cwd: dir })
    expect(json.code).toBe(2)
    expect(json.stderr).toContain("sn365 init writes YAML")
    await expect(readFile(join(dir, "sn365.config.json"), "utf8")).rejects.toThrow()
  })

  it("the starter config is rejected until its placeholders are filled, then decodes", async () => {
    const dir = await tempDir()
    await runCli(["init"], { cwd: dir })
    const unfilled = await Effect.runPromise(Effect.result(loadConfig({ cwd: dir, env: secretEnv })))
    if (unfilled._tag !== "Failure" || unfilled.failure._tag !== "InvalidConfig")
      throw new Error("expected problems")
    expect(unfilled.failure.problems.map((p) => p.path.join("."))).toEqual([
      "servicenow.instance",
      "servicenow.auth.username",
      "entra.tenant",
      "entra.auth.clientId",
      "integration.m365AdminEmail",
    ])
    const text = (await readFile(join(dir, "sn365.config.yaml"), "utf8"))
      .replace('"<instance>"', "dev12345")
      .replace('"<admin user name>"', "admin")
      .replace('"<tenant>"', "contoso.onmicrosoft.com")
      .replace('"<application (client) id>"', configFile.entra.auth.clientId)
      .replace('"<admin@contoso.onmicrosoft.com>"', "admin@contoso.onmicrosoft.com")
    await writeFile(join(dir, "sn365.config.yaml"), text)
    const filled = await Effect.runPromise(loadConfig({ cwd: dir, env: secretEnv }))
    expect(filled.config.servicenow.instance).toBe("dev12345")
    expect(filled.warnings).toEqual([])
  })

  it("fills values given as flags", async () => {
    const dir = await tempDir()
    await runCli(
      [
        "init",
        "--output",
        "x.yaml",
        "--instance",
        "dev1",
        "--servicenow-user",
        "admin",
        "--tenant",
        "contoso.onmicrosoft.com",
        "--entra-auth",
        "deviceCode",
        "--entra-client-id",
        configFile.entra.auth.clientId,
        "--admin-email",
        "a@contoso.com",
      ],
      { cwd: dir },
    )
    const loaded = await Effect.runPromise(
      loadConfig({
        cwd: dir,
        configPath: "x.yaml",
        env: { SN365_SERVICENOW_PASSWORD: CANARY.servicenowPassword },
      }),
    )
    expect(loaded.config.entra.auth.type).toBe("deviceCode")
  })
})
