import { lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { SecretName } from "../src/Secrets.ts"
import { fileSecretStore, isSharedFile } from "../src/SecretsFile.ts"

const tempDir = () => mkdtemp(join(tmpdir(), "sn365-secrets-"))

describe("fileSecretStore", () => {
  it("keeps every secret written concurrently, in a 0600 file, and reads them back", async () => {
    const path = join(await tempDir(), "nested", "secrets.json")
    const store = fileSecretStore(path)
    const names: ReadonlyArray<SecretName> = [
      "entraClientSecret",
      "inboundClientSecret",
      "integrationUserPassword",
    ]
    await Effect.runPromise(
      Effect.all(
        names.map((name) => store.put(name, Redacted.make(`value-of-${name}`))),
        { concurrency: "unbounded" },
      ),
    )
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      entraClientSecret: "value-of-entraClientSecret",
      inboundClientSecret: "value-of-inboundClientSecret",
      integrationUserPassword: "value-of-integrationUserPassword",
    })
    const again = fileSecretStore(path)
    const value = await Effect.runPromise(again.get("inboundClientSecret"))
    expect(value !== undefined && Redacted.value(value)).toBe("value-of-inboundClientSecret")
    expect(await isSharedFile(path)).toBe(false)

    await Effect.runPromise(again.remove("entraClientSecret"))
    await Effect.runPromise(again.remove("entraClientSecret"))
    expect(Object.keys(JSON.parse(await readFile(path, "utf8")))).toEqual([
      "inboundClientSecret",
      "integrationUserPassword",
    ])
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })

  it("a missing file holds nothing; a corrupt one is a defect that does not quote the file", async () => {
    const dir = await tempDir()
    expect(
      await Effect.runPromise(fileSecretStore(join(dir, "none.json")).get("entraClientSecret")),
    ).toBeUndefined()
    const corrupt = join(dir, "corrupt.json")
    await writeFile(corrupt, "{ not json: canary-corrupt-1 ")
    const exit = await Effect.runPromiseExit(fileSecretStore(corrupt).get("entraClientSecret"))
    expect(exit._tag).toBe("Failure")
    expect(String(exit)).toContain("is not a JSON object")
    expect(String(exit)).not.toContain("canary-corrupt-1")
  })
})

describe("fileSecretStore problem (preflight)", () => {
  const problemOf = (path: string) => {
    const { problem } = fileSecretStore(path)
    if (problem === undefined) throw new Error("the file store must say what keeps it from keeping secrets")
    return Effect.runPromise(problem())
  }

  it("has none for a new file in folders still to create, and creates nothing to find out", async () => {
    const root = await tempDir()
    const path = join(root, "a", "b", "secrets.json")
    expect(await problemOf(path)).toBeUndefined()
    expect(await readdir(root)).toEqual([])
  })

  it("has none for an existing file it can read", async () => {
    const path = join(await tempDir(), "secrets.json")
    await writeFile(path, "{}\n", { mode: 0o600 })
    expect(await problemOf(path)).toBeUndefined()
  })

  it("names a path through a file, a folder given as the file, and a file that is not a JSON object", async () => {
    const root = await tempDir()
    const file = join(root, "config.yaml")
    await writeFile(file, "variant: basic\n")
    expect(await problemOf(join(file, "sub", "secrets.json"))).toMatch(
      /^Cannot (read|write) the secrets file .*secrets\.json: .*(a part of its path is a file|is a file, not a folder)/,
    )
    expect(await problemOf(root)).toBe(`Cannot read the secrets file ${root}: it is a folder`)
    const garbled = join(root, "garbled.json")
    await writeFile(garbled, "[1, 2]")
    expect(await problemOf(garbled)).toMatch(/is not a JSON object/)
    expect((await readdir(root)).sort()).toEqual(["config.yaml", "garbled.json"])
  })
})

describe("fileSecretStore through a symbolic link", () => {
  it("writes the file the link points at and leaves the link a link", async () => {
    const root = await tempDir()
    const target = join(root, "vault", "secrets.json")
    await mkdir(join(root, "vault"))
    await writeFile(target, "{}\n", { mode: 0o600 })
    const link = join(root, "secrets.json")
    await symlink(target, link)
    const store = fileSecretStore(link)
    expect(await Effect.runPromise(store.problem?.() ?? Effect.succeed("no problem()"))).toBeUndefined()
    await Effect.runPromise(store.put("entraClientSecret", Redacted.make("through-the-link")))
    expect((await lstat(link)).isSymbolicLink()).toBe(true)
    expect(JSON.parse(await readFile(target, "utf8"))).toEqual({ entraClientSecret: "through-the-link" })
    expect((await stat(target)).mode & 0o777).toBe(0o600)
  })
})
