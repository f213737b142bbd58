/**
 * A file-backed {@link SecretStore}: the secrets a run generates are kept in a JSON file that only
 * its owner can read (mode 0600), so a later `verify` — another process, `sn365 verify
 * --secrets-file` — can use them without rotating, and teardown removes them with their objects.
 *
 * @module
 */
import { randomBytes } from "node:crypto"
import { constants } from "node:fs"
import { access, chmod, mkdir, readFile, realpath, rename, stat, writeFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { Effect, Redacted } from "effect"
import type { SecretName, SecretStore } from "./Secrets.ts"

type Contents = Partial<Record<SecretName, string>>

// The file-system errors a mistyped path meets, in words.
const WHY: Readonly<Record<string, string>> = {
  EISDIR: "it is a folder",
  ENOTDIR: "a part of its path is a file, not a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
}

/**
 * Why a file operation failed, in words for a message: "it is a folder", "permission denied"…, or
 * the error's code when it has no words here.
 *
 * @example
 * ```ts
 * await readFile(path).catch((error) => { throw new Error(`Cannot read ${path}: ${fileErrorReason(error)}`) })
 * ```
 */
export const fileErrorReason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code
  return (code === undefined ? undefined : WHY[code]) ?? code ?? String(error)
}

const read = async (path: string): Promise<Contents> => {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {}
    throw new Error(`Cannot read the secrets file ${path}: ${fileErrorReason(error)}`)
  }
  try {
    const data: unknown = JSON.parse(text)
    if (typeof data === "object" && data !== null && !Array.isArray(data)) return data as Contents
  } catch {
    // fall through: the message must not quote the file
  }
  throw new Error(`The secrets file ${path} is not a JSON object; move it away and run again.`)
}

// A symbolic link is followed: the rename below would replace the link itself, leaving its target
// stale and the secrets beside the link.
const followed = (path: string): Promise<string> => realpath(path).catch(() => path)

// Atomic: a reader never sees half a file, and the file is never readable by others.
const write = async (path: string, contents: Contents) => {
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`
  await writeFile(temporary, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, path)
}

/**
 * Why the file could not be kept, or `undefined`: it must be readable (or absent), and the nearest
 * folder of its path that exists must be a folder this process can write (the write creates the
 * missing ones, then renames a temporary file into place). Nothing is created.
 */
const unusable = async (path: string): Promise<string | undefined> => {
  try {
    await read(path)
  } catch (error) {
    return (error as Error).message
  }
  // `read` got past every folder on the path, so the nearest one that exists is a folder.
  let folder = dirname(resolve(path))
  for (;;) {
    try {
      await access(folder, constants.W_OK)
      return undefined
    } catch (error) {
      const parent = dirname(folder)
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && parent !== folder) {
        folder = parent
        continue
      }
      return `Cannot write the secrets file ${path}: ${folder}: ${fileErrorReason(error)}`
    }
  }
}

/** Whether `path` is a file whose permissions let anyone but its owner read or write it. */
export const isSharedFile = async (path: string): Promise<boolean> => {
  try {
    const info = await stat(path)
    return info.isFile() && (info.mode & 0o077) !== 0
  } catch {
    return false
  }
}

/**
 * A secret store in a JSON file (`{ "entraClientSecret": "…", … }`), written atomically with mode
 * 0600. Failures to read or write the file are defects: a run must not silently lose a secret.
 *
 * @example
 * ```ts
 * const result = yield* apply(config, { secrets: fileSecretStore(".sn365-secrets.json") })
 * ```
 */
export const fileSecretStore = (path: string): SecretStore => {
  // Writes are serialised: concurrent steps each add their secret to the file, none is lost.
  let queue: Promise<unknown> = Promise.resolve()
  const serialised = <A>(f: () => Promise<A>): Promise<A> => {
    const next = queue.then(f, f)
    queue = next.catch(() => {})
    return next
  }
  return {
    get: (name) =>
      Effect.promise(() => serialised(async () => read(await followed(path)))).pipe(
        Effect.map((contents) => {
          const value = contents[name]
          return typeof value === "string" && value !== "" ? Redacted.make(value) : undefined
        }),
      ),
    put: (name, value) =>
      Effect.promise(() =>
        serialised(async () => {
          const file = await followed(path)
          const contents = await read(file)
          contents[name] = Redacted.value(value)
          await write(file, contents)
        }),
      ),
    remove: (name) =>
      Effect.promise(() =>
        serialised(async () => {
          const file = await followed(path)
          const contents = await read(file)
          if (!(name in contents)) return
          delete contents[name]
          await write(file, contents)
        }),
      ),
    problem: () => Effect.promise(() => serialised(async () => unusable(await followed(path)))),
  }
}
