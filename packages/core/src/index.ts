/**
 * @sn365/core — the shared transport of every sn365 client.
 *
 * @packageDocumentation
 */
export {
  defaultFetch,
  type Fetch,
  FORWARDED_HOST_HEADER,
  type Routes,
  routeFor,
  routingFetch,
} from "./Fetch.ts"
