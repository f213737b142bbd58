/**
 * Packaging checks for every publishable package: publint (package.json and exports) and
 * Are The Types Wrong (`attw --pack --profile esm-only`, the profile for ESM-only packages).
 * Run after `pnpm build`.
 */
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const root = join(import.meta.dirname, "..")
const packagesDir = join(root, "packages")
const bin = (name: string) => join(root, "node_modules", ".bin", name)

let failures = 0
for (const dir of readdirSync(packagesDir)) {
  const cwd = join(packagesDir, dir)
  const manifest = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as {
    name: string
    private?: boolean
  }
  if (manifest.private) continue
  for (const [tool, args] of [
    ["publint", ["--strict"]],
    ["attw", ["--pack", ".", "--profile", "esm-only", "--format", "table-flipped"]],
  ] as const) {
    try {
      execFileSync(bin(tool), [...args], { cwd, stdio: "pipe" })
      console.log(`ok    ${tool.padEnd(8)} ${manifest.name}`)
    } catch (error) {
      failures++
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer }
      console.error(`FAIL  ${tool.padEnd(8)} ${manifest.name}\n${stdout ?? ""}${stderr ?? ""}`)
    }
  }
}
process.exit(failures === 0 ? 0 : 1)
