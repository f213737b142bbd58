/** The remedy shared by the Microsoft clients for a connection that broke after it was open. */

/** What to do when the connection to `host` broke before its answer (core's `mayHaveBeenProcessed`). */
export const brokenConnection = (host: string): string =>
  `The connection to ${host} broke before its answer: the request may have been processed. Reads and idempotent writes are retried; look before repeating a create.`
