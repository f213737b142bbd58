/**
 * One loopback HTTP server for every emulated system. Requests are dispatched by the host the
 * client addressed (`X-Forwarded-Host`, set by a routing fetch, or `Host`), pass through the
 * latency and fault layer, and are answered by the system that serves that host.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { type FaultController, type FaultRule, makeFaults } from "./faults.ts"
import type { EmulatorRequest, EmulatorResponse } from "./http.ts"
import type { Random } from "./random.ts"
import { makeRequestLog, type RequestLog } from "./requestLog.ts"
import type { EmulatedSystem } from "./system.ts"

/** Largest request body the server reads; larger ones get 413 before any system sees them. */
const MAX_BODY_BYTES = 32 * 1024 * 1024

/** @internal */
export interface ServerOptions {
  readonly host: string
  readonly port: number
  readonly random: Random
  readonly systems: ReadonlyArray<EmulatedSystem>
  readonly latencyMs: number
  readonly faults: ReadonlyArray<FaultRule>
}

/** @internal */
export interface RunningServer {
  readonly url: string
  readonly faults: FaultController
  readonly requests: RequestLog
  readonly setLatency: (ms: number) => void
  readonly close: () => Promise<void>
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const readBody = async (req: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

const headerRecord = (req: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

const hostOf = (headers: Record<string, string>): string => {
  const raw = headers["x-forwarded-host"] ?? headers.host ?? ""
  return (raw.split(",")[0] ?? "").trim().replace(/:\d+$/, "").toLowerCase()
}

const send = (res: ServerResponse, response: EmulatorResponse) => {
  const body = response.body ?? ""
  res.writeHead(response.status, {
    ...response.headers,
    "content-length": String(Buffer.byteLength(body)),
  })
  res.end(body)
}

/** @internal */
export const startServer = async (options: ServerOptions): Promise<RunningServer> => {
  const { decide, controller } = makeFaults(options.random, options.faults)
  const { record, log } = makeRequestLog()
  const sockets = new Set<Socket>()
  let latencyMs = options.latencyMs

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = Date.now()
    const headers = headerRecord(req)
    const host = hostOf(headers)
    const system = options.systems.find((s) => s.serves(host))
    const method = (req.method ?? "GET").toUpperCase()
    const path = req.url ?? "/"
    const finish = (status: number, faulted: boolean) =>
      record({
        system: system?.name ?? "unknown",
        method,
        host,
        path,
        status,
        startedAt,
        durationMs: Date.now() - startedAt,
        faulted,
      })

    const body = await readBody(req)
    if (body === undefined) {
      send(res, { status: 413, body: "Request body too large" })
      return finish(413, false)
    }
    if (system === undefined) {
      send(res, {
        status: 421,
        headers: { "content-type": "text/plain" },
        body: `No emulated system serves host '${host}'. Route it with X-Forwarded-Host.`,
      })
      return finish(421, false)
    }
    const request: EmulatorRequest = {
      method,
      host,
      url: new URL(path, `https://${host}`),
      headers,
      body,
    }

    if (latencyMs > 0) await sleep(latencyMs)
    const decision = decide(system.name, request)
    switch (decision.kind) {
      case "reset":
        req.socket.destroy()
        return finish(0, true)
      case "hang":
        return finish(0, true)
      case "status": {
        const response = system.faultResponse(decision.status, request)
        send(res, { ...response, headers: { ...response.headers, ...decision.headers } })
        return finish(decision.status, true)
      }
      case "latency":
        await sleep(decision.delayMs)
        break
      default:
        break
    }

    let response: EmulatorResponse
    try {
      response = await system.handle(request)
    } catch (error) {
      // A bug in the emulator must look like a server fault, not hang the client.
      console.error(`emulator: ${system.name} ${method} ${request.url.pathname} threw`, error)
      response = system.faultResponse(500, request)
    }
    if (decision.kind === "reset-after-commit") {
      req.socket.destroy()
      return finish(0, true)
    }
    send(res, response)
    return finish(response.status, decision.kind === "latency")
  }

  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error("emulator: request failed", error)
      if (!res.headersSent) send(res, { status: 500, body: "emulator error" })
    })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address

  return {
    url: `http://${hostForUrl}:${address.port}`,
    faults: controller,
    requests: log,
    setLatency: (ms) => {
      latencyMs = ms
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
