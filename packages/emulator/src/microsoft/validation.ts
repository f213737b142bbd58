/**
 * The one place where the Microsoft systems validate requests against `specs/`: the generated
 * documents compiled by the shared `server/openapi.ts`. Two adaptations happen here, so the specs
 * can stay in Microsoft's own vocabulary:
 *
 * - `format: base64url` (Edm.Binary in Microsoft's CSDL → OpenAPI conversion, and a format of the
 *   OpenAPI Format Registry) becomes `contentEncoding: base64url`, which ajv treats as an annotation.
 * - Graph accepts `'`, `(` and `)` percent-encoded in alternate-key segments
 *   (`/applications(appId=%27…%27)`); paths are normalised before routing.
 *
 * @module
 */
import type { EmulatorRequest } from "../server/http.ts"
import { compileOpenApi, type OpenApi, type ValidationResult } from "../server/openapi.ts"

const adapt = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(adapt)
  if (typeof value !== "object" || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key === "format" && inner === "base64url") out.contentEncoding = "base64url"
    else out[key] = adapt(inner)
  }
  return out
}

/** Decodes the characters Graph's key syntax uses, leaving every other escape alone. */
const normalisePath = (pathname: string) =>
  pathname.replace(/%2[789]/gi, (encoded) => decodeURIComponent(encoded))

/** A compiled spec for one Microsoft system. */
export interface SpecValidator {
  readonly validate: (request: EmulatorRequest) => ValidationResult
  readonly api: OpenApi
}

const compiled = new WeakMap<object, SpecValidator>()

/**
 * Compiles a generated `document` for request validation, once per process: the result is
 * stateless, so every emulator shares it (ajv compiles each operation on first use).
 */
export const specValidator = (document: object): SpecValidator => {
  const cached = compiled.get(document)
  if (cached !== undefined) return cached
  const api = compileOpenApi(adapt(document))
  const validator: SpecValidator = {
    api,
    validate: (request) => {
      const pathname = normalisePath(request.url.pathname)
      if (pathname === request.url.pathname) return api.validate(request)
      const url = new URL(request.url)
      url.pathname = pathname
      return api.validate({ ...request, url })
    },
  }
  compiled.set(document, validator)
  return validator
}
