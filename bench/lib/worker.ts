/**
 * The client side of the bench, in its own process: the emulator runs in the parent, so the
 * client's CPU, memory and event loop are measured without the server's. The parent sends
 * `{ id, task, args }`; the worker runs the task and answers `{ id, ok, value | error }`.
 *
 * Tasks live in the figure modules (`export const tasks`); they get the arguments and a `fetch`
 * that routes the real vendor host names to the emulator.
 *
 * @module
 */
import { routingFetch } from "@sn365/core"
import type { TaskContext, TaskRequest, TaskResponse } from "./protocol.ts"

const routes = JSON.parse(process.env.SN365_BENCH_ROUTES ?? "{}") as Record<string, string>
const context: TaskContext = { fetch: routingFetch(routes) }

const modules = {
  setup: () => import("../figures/setup.ts"),
  grants: () => import("../figures/grants.ts"),
  listing: () => import("../figures/listing.ts"),
  overhead: () => import("../figures/overhead.ts"),
} as const

const run = async (request: TaskRequest): Promise<unknown> => {
  const [moduleName, taskName] = request.task.split(".") as [keyof typeof modules, string]
  const load = modules[moduleName]
  if (load === undefined) throw new Error(`unknown task module ${moduleName}`)
  const tasks = (await load()).tasks as Record<
    string,
    (args: never, context: TaskContext) => Promise<unknown>
  >
  const task = tasks[taskName]
  if (task === undefined) throw new Error(`unknown task ${request.task}`)
  return task(request.args as never, context)
}

process.on("message", (message: TaskRequest) => {
  run(message).then(
    (value) => process.send?.({ id: message.id, ok: true, value } satisfies TaskResponse),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error:
          error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error),
      } satisfies TaskResponse),
  )
})
process.send?.({ id: 0, ok: true, value: "ready" } satisfies TaskResponse)
