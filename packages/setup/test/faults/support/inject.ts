/**
 * Building blocks of the fault matrices (apply's and teardown's): emulator fault rules as an
 * injection, request hooks, and the setup account's own OAuth client.
 *
 * @module
 */
import type { Fetch } from "@sn365/core"
import type { FaultRule } from "@sn365/emulator"
import { INSTANCE, type World } from "./world.ts"

/** An injection that adds `rules` to the emulator and leaves them to retire on their own. */
export const addFaults =
  (...rules: ReadonlyArray<FaultRule>) =>
  (world: World): undefined => {
    for (const rule of rules) world.emulator.faults.add(rule)
    return undefined
  }

/** A `Retry-After` header asking to wait `seconds`. */
export const retryAfter = (seconds: number) => ({ "Retry-After": String(seconds) })

/** A hook that acts on the first request `when` selects, and never again. */
export const onFirst = (
  when: (request: Request) => boolean,
  act: (world: World, request: Request) => void | Promise<void>,
): RequestHook => {
  let done = false
  return async (world, request) => {
    if (done || !when(request)) return
    done = true
    await act(world, request)
  }
}

/** A client-side hook on a request, awaited before the request is sent (mid-run switches). */
export type RequestHook = (world: World, request: Request) => void | Promise<void>

/** The world's fetch with `hook` run, and awaited, before each request goes out. */
export const hookedFetch =
  (world: World, hook: RequestHook): Fetch =>
  async (request) => {
    await hook(world, request)
    return world.fetch(request)
  }

/** Whether `request` writes to a host ending with `host`. */
export const isWrite = (request: Request, host: string) =>
  request.method !== "GET" && new URL(request.url).hostname.endsWith(host)

/** An OAuth API endpoint for the setup account itself (emulator test data). */
export const SETUP_CLIENT = {
  name: "sn365 setup account client",
  client_id: "5e7f1a2c03654b6d9e115a5e1d365aaa",
  secret: "setup-client-secret-for-the-emulator",
} as const

/** The ServiceNow part of a configuration that signs in with the setup account's OAuth client. */
export const OAUTH_SETUP = {
  servicenow: {
    instance: INSTANCE,
    auth: {
      type: "oauthPassword",
      clientId: SETUP_CLIENT.client_id,
      clientSecret: SETUP_CLIENT.secret,
      username: "admin",
      password: "admin",
    },
  },
}

/** Inserts {@link SETUP_CLIENT} into the instance. */
export const insertSetupClient = (world: World) =>
  world.emulator.servicenow.insert(INSTANCE, "oauth_entity", {
    name: SETUP_CLIENT.name,
    type: "client",
    client_id: SETUP_CLIENT.client_id,
    client_secret: SETUP_CLIENT.secret,
  })
