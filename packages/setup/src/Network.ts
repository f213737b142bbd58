/**
 * The network preflight of the procedure (§9): the documented service IPs and a DNS lookup of
 * the connector host. It is reported, never fatal — the service was retired on 2025-05-30, so
 * an empty or failed lookup is expected today.
 *
 * @module
 */
import { promises as dns } from "node:dns"
import { Context, Effect } from "effect"
import { CONNECTOR_HOST, SERVICE_IPS } from "./vendor.ts"

/** Resolves a host name to IPv4 addresses. Injectable so tests never touch real DNS. */
export type Resolver = (host: string) => Promise<ReadonlyArray<string>>

/** The resolver the preflight uses; the system resolver by default. */
export const DnsResolver = Context.Reference<Resolver>("@sn365/setup/DnsResolver", {
  defaultValue: () => (host) => dns.resolve4(host),
})

/** What the network preflight found. */
export interface NetworkReport {
  /** The addresses a firewall must allow in both directions, as documented. */
  readonly serviceIps: ReadonlyArray<string>
  readonly connectorHost: string
  /** Addresses the connector host resolved to, or the lookup error. */
  readonly lookup: { readonly addresses: ReadonlyArray<string> } | { readonly error: string }
}

/** Looks up the connector host (3 s budget) and reports the documented IP list. Never fails. */
export const networkPreflight: Effect.Effect<NetworkReport> = Effect.gen(function* () {
  const resolve = yield* DnsResolver
  const lookup = yield* Effect.tryPromise(() => resolve(CONNECTOR_HOST)).pipe(
    Effect.timeout("3 seconds"),
    Effect.map((addresses) => ({ addresses })),
    Effect.catch((error) => {
      const cause = (error as { cause?: { code?: string } }).cause
      return Effect.succeed({
        error: cause?.code ?? (error._tag === "TimeoutError" ? "timed out" : "lookup failed"),
      })
    }),
  )
  return { serviceIps: SERVICE_IPS, connectorHost: CONNECTOR_HOST, lookup }
})
