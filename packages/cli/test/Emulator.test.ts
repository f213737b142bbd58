/**
 * The CLI's side of the emulator: `--emulator` covers every host the emulator serves, and
 * `sn365 emulator` starts it standalone and explains how to use it.
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { routeFor } from "@sn365/core"
import { startEmulator } from "@sn365/emulator"
import { describe, expect, it } from "vitest"
import { emulatorRoutes } from "../src/Operations.ts"
import { VENDOR_HOST_PATTERNS } from "../src/vendor.ts"

describe("emulator routing", () => {
  it("--emulator routes every host pattern the emulator serves", async () => {
    const emulator = await startEmulator()
    try {
      const patterns = Object.keys(emulator.routes)
      expect(patterns.length).toBeGreaterThan(0)
      for (const pattern of patterns) expect(VENDOR_HOST_PATTERNS, pattern).toContain(pattern)
      const routes = emulatorRoutes(emulator.url)
      for (const host of [
        "dev12345.service-now.com",
        "login.microsoftonline.com",
        "graph.microsoft.com",
        "admin.microsoft.com",
      ])
        expect(routeFor(routes, host), host).toBe(emulator.url)
      expect(routeFor(routes, "example.com")).toBeUndefined()
    } finally {
      await emulator.close()
    }
  })
})

describe("sn365 emulator", () => {
  it("prints its URL, routes, seeded identities and how to point sn365 at it; Ctrl-C stops it", async () => {
    const bin = join(import.meta.dirname, "..", "src", "bin.ts")
    const child = spawn(process.execPath, ["--conditions=@sn365/source", bin, "emulator", "--port", "0"], {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}${stderr}`)), 20_000)
      child.stdout.on("data", (chunk) => {
        stdout += chunk
        if (stdout.includes("Press Ctrl-C to stop.")) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1]
    expect(url).toBeDefined()
    // It answers on the printed URL.
    const response = await fetch(`${url}/api/now/table/sys_user`, {
      headers: { "x-forwarded-host": "dev365.service-now.com" },
    })
    expect([200, 401]).toContain(response.status)
    for (const pattern of VENDOR_HOST_PATTERNS.slice(0, 3)) expect(stdout).toContain(pattern)
    expect(stdout).toContain(`export SN365_EMULATOR_URL=${url}`)
    expect(stdout).toContain("sn365 plan --config sn365.emulator.yaml")
    expect(stdout).toContain('instance: "dev365"')
    // Ctrl-C is the normal way to stop it: exit 0, not the 130 of an interrupted operation.
    child.kill("SIGINT")
    expect(await exited).toBe(0)
  }, 30_000)
})
