/** A real HTTP server on loopback for tests, closed with the test's scope. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly port: number
  /** Every request received, in order. */
  readonly seen: Array<Seen>
  /** Resolves when the client closed a connection before its response was finished. */
  readonly clientAborted: Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => unknown

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/** Starts a server on 127.0.0.1 with a random port; it closes when the scope does. */
export const startServer = (handler: Handler): Effect.Effect<TestServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<TestServer & { close: () => Promise<void> }>((resolve) => {
          const seen: Array<Seen> = []
          let markAborted: () => void = () => undefined
          const clientAborted = new Promise<void>((r) => {
            markAborted = r
          })
          const server = createServer(async (req, res) => {
            res.on("close", () => {
              if (!res.writableFinished) markAborted()
            })
            const entry: Seen = {
              method: req.method ?? "",
              url: req.url ?? "",
              headers: req.headers,
              body: await readBody(req),
            }
            seen.push(entry)
            await handler(req, res, entry)
          })
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo
            resolve({
              origin: `http://127.0.0.1:${port}`,
              port,
              seen,
              clientAborted,
              close: () =>
                new Promise<void>((done) => {
                  server.closeAllConnections()
                  server.close(() => done())
                }),
            })
          })
        }),
    ),
    (server) => Effect.promise(() => server.close()),
  )

/** Writes a JSON response. */
export const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers })
  res.end(body === undefined ? undefined : JSON.stringify(body))
}
