/**
 * `sn365` as a child process on Node 24 (run from the TypeScript sources, as the root `sn365`
 * script does): exit codes, plain output without a terminal, and a light `--help`.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { stringify } from "yaml"
import { CANARY, configFile, schemaErrors, spawnCli, tempDir } from "./harness.ts"

describe("the sn365 executable", { timeout: 30_000 }, () => {
  it("--help and --version exit 0 and write to stdout only", async () => {
    const help = await spawnCli(["--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("SUBCOMMANDS")
    expect(help.stderr).toBe("")
    const version = await spawnCli(["--version"])
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^sn365 v\d+\.\d+\.\d+/)
  })

  it("--help loads neither the setup, the emulator, nor the YAML parser", async () => {
    const trace = join(import.meta.dirname, "support", "trace-imports.ts")
    const result = await spawnCli(["--help"], { env: { NODE_OPTIONS: `--import=${trace}` } })
    expect(result.code).toBe(0)
    const loaded: Array<string> = JSON.parse(result.stderr.split("LOADED ")[1] ?? "[]")
    expect(loaded.length).toBeGreaterThan(10)
    const heavy = loaded.filter((url) =>
      /\/packages\/(setup|emulator|core|servicenow|m365)\/|\/node_modules\/.*(yaml|msal|ajv)/.test(url),
    )
    expect(heavy).toEqual([])
    // Effect is imported by module path, never through its barrel.
    expect(loaded.filter((url) => /\/effect\/dist\/index\.js$/.test(url))).toEqual([])
  })

  it("Ctrl-C mid-apply exits 130 and says so: one JSON document with --json, one line without", async () => {
    const json = await spawnCli(["demo", "--json", "--verbose", "--latency", "200"], {
      interruptOn: "== Applying",
    })
    expect(json.code).toBe(130)
    const document = JSON.parse(json.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document).toMatchObject({
      command: "demo",
      ok: false,
      exitCode: 130,
      error: { tag: "Interrupted" },
    })
    const text = await spawnCli(["demo", "--latency", "200"], { interruptOn: "== Applying" })
    expect(text.code).toBe(130)
    expect(text.stderr).toContain("Interrupted. What was completed stays in place")
  })

  it("bad usage exits 2", async () => {
    const result = await spawnCli(["apply", "--no-such-flag"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("Unrecognized flag: --no-such-flag")
  })

  it("a config problem exits 2 with plain output, and --json prints a valid document", async () => {
    const cwd = await tempDir()
    await writeFile(join(cwd, "sn365.config.yaml"), stringify(configFile))
    const env = { SN365_ENTRA_CLIENT_SECRET: CANARY.entraClientSecret }
    const text = await spawnCli(["plan"], { cwd, env })
    expect(text.code).toBe(2)
    expect(text.stderr).toContain(
      "servicenow.auth.password: missing: set the environment variable SN365_SERVICENOW_PASSWORD",
    )
    expect(text.stderr).not.toContain("\x1b[")
    const json = await spawnCli(["plan", "--json"], { cwd, env })
    expect(json.code).toBe(2)
    expect(await schemaErrors(JSON.parse(json.stdout))).toBeUndefined()
    expect(json.stdout + json.stderr + text.stdout + text.stderr).not.toContain(CANARY.entraClientSecret)
  })

  it("apply without a terminal and without --yes exits 2", async () => {
    const result = await spawnCli(["apply"], { cwd: await tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("no interactive terminal")
  })

  it("init writes the starter config; a second init exits 2", async () => {
    const cwd = await tempDir()
    expect((await spawnCli(["init"], { cwd })).code).toBe(0)
    const again = await spawnCli(["init"], { cwd })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("Use --force")
  })
})
