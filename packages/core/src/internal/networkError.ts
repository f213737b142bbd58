/** Turning what `fetch` rejects with into a {@link NetworkError}. */
import { NetworkError } from "../HttpError.ts"
import { redactText, redactUrl, type Secret } from "../Redact.ts"

const SYSTEM_CODE = /^(E[A-Z0-9_]+|[A-Z_]*(CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO)[A-Z0-9_]*)$/
const MAX_DEPTH = 6

const codeOf = (u: unknown): string | undefined => {
  const code = (u as { code?: unknown } | null)?.code
  return typeof code === "string" ? code : undefined
}

// undici wraps the system error: TypeError("fetch failed") → cause (SocketError, Error{code}) →
// maybe AggregateError{errors}. The innermost system-looking code is the useful one.
const causes = (u: unknown): ReadonlyArray<unknown> => {
  const chain: Array<unknown> = []
  let current: unknown = u
  for (let depth = 0; depth < MAX_DEPTH && current !== undefined && current !== null; depth++) {
    chain.push(current)
    const errors = (current as { errors?: unknown }).errors
    if (Array.isArray(errors)) chain.push(...errors)
    current = (current as { cause?: unknown }).cause
  }
  return chain
}

/** The system error code of a fetch failure: `ECONNRESET`, `ENOTFOUND`, `CERT_HAS_EXPIRED`… */
export const systemErrorCode = (u: unknown): string | undefined => {
  const codes = causes(u)
    .map(codeOf)
    .filter((c): c is string => c !== undefined)
  return codes.findLast((c) => SYSTEM_CODE.test(c)) ?? codes.at(-1)
}

const describeCause = (u: unknown): string | undefined => {
  const messages = causes(u)
    .map((c) => (c instanceof Error ? c.message : undefined))
    .filter((m): m is string => m !== undefined && m !== "")
  return messages.length === 0 ? undefined : [...new Set(messages)].join(": ")
}

/** A {@link NetworkError} for a failed request, everything redacted. */
export const networkError = (
  cause: unknown,
  method: string,
  url: string,
  secrets: ReadonlyArray<Secret>,
): NetworkError => {
  const detail = describeCause(cause)
  return new NetworkError({
    method,
    url: redactUrl(url, secrets),
    code: systemErrorCode(cause),
    detail: detail === undefined ? undefined : redactText(detail, secrets),
  })
}
