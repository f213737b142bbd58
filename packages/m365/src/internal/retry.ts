/**
 * Core's retry options per idempotency, as constants: core builds a retry schedule once per
 * options object, so a request should not bring a fresh one.
 */
import type { RetryOptions } from "@sn365/core"

const OPTIONS = {
  undefined: {},
  true: { idempotent: true },
  false: { idempotent: false },
} as const satisfies Record<string, RetryOptions>

/** The retry options of a call: idempotent, not, or as its method says (`undefined`). */
export const retryFor = (idempotent: boolean | undefined): RetryOptions => OPTIONS[`${idempotent}`]
