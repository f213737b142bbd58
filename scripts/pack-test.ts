/**
 * Packaging test: what we publish works for a consumer.
 *
 * 1. Builds every package (`tsc -b`).
 * 2. Packs every publishable package with pnpm, as `pnpm publish` would (`workspace:` ranges become
 *    versions; the root LICENSE is added).
 * 3. Installs the tarballs with **npm** into an empty project outside the workspace: no workspace
 *    links, third-party dependencies from the registry, `@sn365/*` only from the tarballs.
 * 4. There, on Node 24: runs `examples/setup.ts` (the whole setup against an emulator it starts
 *    in-process) and prints its outputs, type-checks it against the published declarations, and
 *    runs the `sn365` bin (`--version`, `demo --json`).
 *
 * Run through pnpm (`pnpm test:pack`) so that `process.execPath` is the Node 24 of the root `node`
 * devDependency. `--keep` keeps the temporary directory for a look.
 */
import { execFileSync, type SpawnSyncReturns, spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"

const root = join(import.meta.dirname, "..")
const keep = process.argv.includes("--keep")
const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>
}

/** Every tool runs on this Node; `node` on PATH is it too, for bins with `#!/usr/bin/env node`. */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SN365_"))),
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
  CI: "true",
  NO_COLOR: "1",
}

const step = (title: string) => console.log(`\n== ${title}`)

/** Runs a command; on failure prints everything it said and stops the test. */
const run = (command: string, args: ReadonlyArray<string>, cwd: string): SpawnSyncReturns<string> => {
  const result = spawnSync(command, [...args], { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) {
    console.error(`FAIL  ${command} ${args.join(" ")} (in ${cwd}): exit ${result.status ?? result.signal}`)
    console.error(result.stdout, result.stderr, result.error ?? "")
    throw new Error("packaging test failed")
  }
  return result
}

/** pnpm: the one running this script when there is one (a native binary or a JS file), else pnpm 12.4.2 from npx. */
const pnpm = (args: ReadonlyArray<string>, cwd: string) => {
  const execPath = process.env.npm_execpath
  if (execPath === undefined || !/pnpm/.test(execPath)) return run("npx", ["-y", "pnpm@12.4.2", ...args], cwd)
  return /\.[cm]?js$/.test(execPath)
    ? run(process.execPath, [execPath, ...args], cwd)
    : run(execPath, args, cwd)
}

const publishable = readdirSync(join(root, "packages"))
  .map((dir) => ({
    dir: join(root, "packages", dir),
    manifest: JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as {
      name: string
      version: string
      private?: boolean
    },
  }))
  .filter((p) => p.manifest.private !== true)

const work = mkdtempSync(join(tmpdir(), "sn365-pack-test-"))
let failed = false
try {
  step("Build")
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "tsconfig.build.json"], root)
  console.log("ok    tsc -b tsconfig.build.json")

  step("Pack (pnpm)")
  const tarballs = join(work, "tarballs")
  mkdirSync(tarballs)
  for (const { dir, manifest } of publishable) {
    pnpm(["pack", "--pack-destination", tarballs], dir)
    console.log(`ok    ${manifest.name}@${manifest.version}`)
  }
  const files = readdirSync(tarballs).filter((f) => f.endsWith(".tgz"))
  if (files.length !== publishable.length)
    throw new Error(`expected ${publishable.length} tarballs, found ${files.join(", ")}`)
  for (const file of files) {
    const listing = execFileSync("tar", ["tzf", join(tarballs, file)], { encoding: "utf8" }).split("\n")
    for (const required of [
      "package/package.json",
      "package/README.md",
      "package/LICENSE",
      "package/dist/index.js",
    ])
      if (!listing.includes(required)) throw new Error(`${file} lacks ${required}`)
    const manifest = execFileSync("tar", ["xzf", join(tarballs, file), "-O", "package/package.json"], {
      encoding: "utf8",
    })
    if (manifest.includes("workspace:")) throw new Error(`${file}: package.json still has a workspace: range`)
  }
  console.log(`ok    ${files.length} tarballs, each with package.json, README.md, LICENSE and dist/`)

  step("Install the tarballs with npm into an empty project")
  const consumer = join(work, "consumer")
  mkdirSync(consumer)
  writeFileSync(
    join(consumer, "package.json"),
    `${JSON.stringify({ name: "sn365-consumer", private: true, type: "module" }, null, 2)}\n`,
  )
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...files.map((file) => join(tarballs, file)),
      `effect@${rootManifest.devDependencies.effect}`,
      `@types/node@${rootManifest.devDependencies["@types/node"]}`,
    ],
    consumer,
  )
  // Every @sn365 package must come from a tarball: none from the registry, none nested twice.
  const lock = JSON.parse(readFileSync(join(consumer, "package-lock.json"), "utf8")) as {
    packages: Record<string, { resolved?: string }>
  }
  const ours = Object.entries(lock.packages).filter(([path]) => path.includes("node_modules/@sn365/"))
  for (const [path, entry] of ours)
    if (!(entry.resolved ?? "").startsWith("file:") || path.split("node_modules/").length > 2)
      throw new Error(`${path} was not installed from its tarball (resolved ${entry.resolved})`)
  if (ours.length !== publishable.length)
    throw new Error(`expected ${publishable.length} @sn365 packages, found ${ours.length}`)
  console.log(
    `ok    npm installed ${ours.map(([path]) => path.replace(/^node_modules\//, "")).join(", ")} from the tarballs`,
  )

  step("Run examples/setup.ts in the consumer project (Node 24, published dist/)")
  cpSync(join(root, "examples/setup.ts"), join(consumer, "setup.ts"))
  cpSync(join(root, "examples/support"), join(consumer, "support"), { recursive: true })
  const example = run(process.execPath, ["setup.ts"], consumer)
  process.stdout.write(example.stdout)
  if (!/entraAppId +[0-9a-f-]{36}/.test(example.stdout) || !/repositoryId +dev365/.test(example.stdout))
    throw new Error("setup.ts did not print the outputs of a completed setup")
  console.log("ok    setup.ts completed against its in-process emulator")

  step("Type-check the example against the published declarations")
  writeFileSync(
    join(consumer, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          target: "ES2023",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          noEmit: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
        },
        include: ["setup.ts", "support"],
      },
      null,
      2,
    )}\n`,
  )
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], consumer)
  console.log("ok    tsc: setup.ts and support/ type-check against @sn365/*/dist/*.d.ts")

  step("Run the sn365 bin")
  const sn365 = join(consumer, "node_modules/.bin/sn365")
  const version = run(sn365, ["--version"], consumer).stdout.trim()
  console.log(`ok    sn365 --version: ${version}`)
  const demo = JSON.parse(run(sn365, ["demo", "--json"], consumer).stdout) as {
    ok: boolean
    apply?: { outputs?: Record<string, string> }
  }
  if (!demo.ok || demo.apply?.outputs?.entraAppId === undefined)
    throw new Error("sn365 demo --json did not succeed")
  console.log(`ok    sn365 demo --json: ok, Entra app ${demo.apply.outputs.entraAppId}`)

  console.log("\nPackaging test passed: the published packages install with npm and work for a consumer.")
} catch (error) {
  failed = true
  console.error(`\nPackaging test failed: ${(error as Error).message}`)
} finally {
  if (keep) console.log(`Kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
