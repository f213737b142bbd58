import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises"
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
