/**
 * `sn365 emulator`: the emulator on a fixed port, with everything needed to point sn365 at it.
 * The emulator package is imported only when this command (or `demo`) runs.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ExitCode, Exit as ExitWith } from "./Errors.ts"
import { starterConfig } from "./Init.ts"
import { Io } from "./Io.ts"
import { EMULATOR_SERVICENOW, emulatorIdentities } from "./internal/emulatorSeed.ts"
import { ENV } from "./Settings.ts"

/** The emulator could not start (for example, its port is taken). */
export class EmulatorFailed extends Schema.TaggedError<EmulatorFailed>()("EmulatorFailed", {
  message: Schema.String,
  remedy: Schema.optionalKey(Schema.String),
}) {}

/** Where and how the emulator runs. */
export interface EmulatorFlags {
  readonly port?: number
  readonly host?: string
  readonly seed: number
  readonly latency: number
}

/** Starts the emulator in-process for the life of the scope. */
export const startEmulator = (flags: EmulatorFlags) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const { startEmulator } = await import("@sn365/emulator")
        return startEmulator({
          host: flags.host ?? "127.0.0.1",
          port: flags.port ?? 0,
          seed: flags.seed,
          latencyMs: flags.latency,
          servicenow: EMULATOR_SERVICENOW,
        })
      },
      catch: (cause) => {
        const code = (cause as NodeJS.ErrnoException).code
        return new EmulatorFailed(
          code === "EADDRINUSE"
            ? {
                message: `Port ${flags.port} on ${flags.host} is already in use.`,
                remedy: "Choose another with --port (0 picks a free one).",
              }
            : { message: `The emulator did not start: ${code ?? String(cause)}` },
        )
      },
    }),
    (emulator) => Effect.promise(() => emulator.close()),
  )

/** `sn365 emulator`: starts the emulator, prints how to use it, and runs until Ctrl-C. */
export const runEmulator = (flags: EmulatorFlags & { readonly port: number; readonly host: string }) =>
  Effect.gen(function* () {
    const io = yield* Io
    const emulator = yield* startEmulator(flags)
    const id = emulatorIdentities(emulator)
    const routes = Object.entries(emulator.routes)
      .map(([pattern, origin]) => `  ${pattern.padEnd(28)} → ${origin}`)
      .join("\n")
    const configFile = "sn365.emulator.yaml"
    io.stdout(
      [
        `sn365 emulator listening on ${emulator.url} (seed ${flags.seed}${flags.latency > 0 ? `, ${flags.latency} ms latency` : ""})`,
        "",
        "Routes (the real host names it answers for):",
        routes,
        "",
        "Seeded identities (emulator test data, not real credentials):",
        `  ServiceNow instance      ${id.instance}  (any other *.service-now.com name is created on first use)`,
        `  ServiceNow admin         ${id.servicenowUser} / ${id.servicenowPassword}  (holds snc_basic_auth_api_access)`,
        `  Entra tenant             ${id.tenant} (${id.tenantId})`,
        `  Entra setup app          ${id.entraClientId}`,
        `  Entra setup app secret   ${id.entraClientSecret}`,
        `  Device-code client       ${id.publicClientId}`,
        `  Microsoft 365 admin      ${id.adminEmail}`,
        "",
        `Point sn365 at it: save the config below as ${configFile}, then run`,
        "",
        `  export ${ENV.emulatorUrl}=${emulator.url}`,
        `  export SN365_SERVICENOW_PASSWORD='${id.servicenowPassword}'`,
        `  export SN365_ENTRA_CLIENT_SECRET='${id.entraClientSecret}'`,
        `  sn365 plan --config ${configFile}`,
        "",
        `--- ${configFile} ---`,
        starterConfig({
          instance: id.instance,
          servicenowUser: id.servicenowUser,
          tenant: id.tenant,
          entraClientId: id.entraClientId,
          adminEmail: id.adminEmail,
          note: `For the sn365 emulator (${ENV.emulatorUrl}=${emulator.url}).`,
        }),
        "Press Ctrl-C to stop.",
        "",
      ].join("\n"),
    )
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.catchTag("EmulatorFailed", (error) =>
      Effect.gen(function* () {
        const io = yield* Io
        io.stderr(`Error: ${error.message}\n${error.remedy === undefined ? "" : `Remedy: ${error.remedy}\n`}`)
        return yield* new ExitWith({ code: ExitCode.Failed })
      }),
    ),
  )
