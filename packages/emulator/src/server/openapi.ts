/**
 * Request validation against an OpenAPI 3.1 document, shared by every emulated system.
 *
 * One call, {@link compileOpenApi}, turns a document (the `document` constant that `pnpm gen`
 * writes into `src/generated/`) into an {@link OpenApi} whose `validate(request)` either returns the
 * matched operation with its parameters decoded and coerced, or says precisely why the request is
 * not allowed. It does not choose status codes or error bodies: each system maps a
 * {@link RequestProblem} to its own envelope (ServiceNow's `{"error":{message,detail}}`, Graph's
 * `{"error":{code,message}}`…).
 *
 * What it checks, in this order:
 * 1. **route** — the path (after `basePath`) against the path templates. Concrete paths win over
 *    templated ones (OpenAPI 3.1 §4.8.8), then fewer template variables, then longer literals.
 *    `{name}` may sit anywhere inside a segment (`/applications(appId='{appId}')`). No match →
 *    `not-found`; a match without the method → `method-not-allowed` with `allow`. `HEAD` falls back
 *    to the `get` operation when the path declares no `head`.
 * 2. **Accept** — when the request has an `Accept` header and the operation declares response media
 *    types, one of them must be acceptable (`*`/`type/*` ranges, `q=0` excluded) → `not-acceptable`.
 * 3. **parameters** — path, query and header parameters (path-item level merged with operation
 *    level) against their schemas, JSON Schema 2020-12 via ajv with formats. Values are coerced from
 *    strings (`"10"` → `10`, `"true"` → `true`); array parameters follow `style: form` with
 *    `explode` (default `true`: `a=1&a=2`; `false`: `a=1,2`). Undeclared query parameters and
 *    headers are allowed (OpenAPI does not forbid them) and left for the system to interpret.
 * 4. **body** — when the operation declares a `requestBody` and the request has a body: the
 *    `Content-Type` must match a declared media type (`unsupported-media-type`, with `contentType`
 *    `undefined` when the header is missing), then the body is parsed (JSON for `application/json`
 *    and `+json`, an object of strings for `application/x-www-form-urlencoded`, a string for
 *    `text/*`) and validated; malformed JSON is an `invalid-request` issue. A missing body where
 *    `required: true` is an `invalid-request` issue. A body on an operation without `requestBody` is
 *    ignored.
 *
 * `$ref`s: OpenAPI references (`#/components/parameters|requestBodies|responses|pathItems|headers/…`)
 * are resolved here; schema references (`#/components/schemas/…`) are resolved by ajv. Schemas are
 * compiled lazily, once per operation, so compiling a large document costs nothing up front. The
 * OpenAPI annotation keywords `discriminator`, `xml`, `externalDocs` and `example` and every `x-…`
 * extension are accepted; any other unknown keyword is a spec bug and throws when the operation is
 * first validated.
 *
 * @example
 * ```ts
 * import { document } from "../generated/servicenow-table.ts"
 * const api = compileOpenApi(document)
 * const checked = api.validate(request)
 * if (!checked.ok) return myErrorEnvelope(checked.problem)
 * checked.operation.operationId // "getOauthEntityRecords"
 * checked.operation.params.query.sysparm_limit // 10 (a number, coerced)
 * ```
 *
 * @module
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import type { EmulatorRequest } from "./http.ts"

/** Options for {@link compileOpenApi}. */
export interface OpenApiOptions {
  /**
   * Path prefix that the document's paths are relative to, e.g. `/v1.0` for Graph. Default: the
   * path of `servers[0].url` (`/` when there is none or it has no path).
   */
  readonly basePath?: string
}

/** Where a problem was found. */
export type RequestIssueLocation = "path" | "query" | "header" | "body"

/** One reason a request does not fit its operation. */
export interface RequestIssue {
  readonly in: RequestIssueLocation
  /** The parameter name (`sysparm_limit`); absent for the body. */
  readonly name?: string
  /** JSON pointer inside the value or body (`/result/0/name`), `""` for the whole value. */
  readonly pointer: string
  /** A readable sentence, e.g. `query parameter 'sysparm_limit' must be integer`. */
  readonly message: string
}

/** Why a request was refused; each system turns this into its own status and envelope. */
export type RequestProblem =
  | { readonly kind: "not-found" }
  | { readonly kind: "method-not-allowed"; readonly allow: ReadonlyArray<string> }
  | { readonly kind: "not-acceptable"; readonly accept: string; readonly produces: ReadonlyArray<string> }
  | {
      readonly kind: "unsupported-media-type"
      /** The request's media type without parameters, or `undefined` when the header is missing. */
      readonly contentType: string | undefined
      readonly consumes: ReadonlyArray<string>
    }
  | { readonly kind: "invalid-request"; readonly issues: ReadonlyArray<RequestIssue> }

/** A request that fits an operation of the document. */
export interface ValidatedRequest {
  /** The path template as written in the document, e.g. `/api/now/table/{tableName}`. */
  readonly path: string
  /** Upper-case HTTP method of the operation (`GET` for a HEAD served by the `get` operation). */
  readonly method: string
  readonly operationId: string | undefined
  /** The raw operation object (read `x-…` extensions or `tags` from it). */
  readonly operation: Readonly<Record<string, unknown>>
  /** Declared parameters only, decoded and coerced to their schema types. */
  readonly params: {
    readonly path: Readonly<Record<string, unknown>>
    readonly query: Readonly<Record<string, unknown>>
    readonly header: Readonly<Record<string, unknown>>
  }
  /** The matched request media type (without parameters), when a body was validated. */
  readonly contentType: string | undefined
  /** The parsed body (JSON value, form object or text), `undefined` when there is none. */
  readonly body: unknown
}

/** The outcome of {@link OpenApi.validate}. */
export type ValidationResult =
  | { readonly ok: true; readonly operation: ValidatedRequest }
  | {
      readonly ok: false
      readonly problem: RequestProblem
      /** The matched path template and operation, when routing got that far. */
      readonly path?: string
      readonly operationId?: string
    }

/** A compiled document. */
export interface OpenApi {
  /** Routes and validates one request; see the module documentation for the order of checks. */
  readonly validate: (request: EmulatorRequest) => ValidationResult
  /** Every operation as `{ method, path, operationId }`, in document order. */
  readonly operations: ReadonlyArray<{
    readonly method: string
    readonly path: string
    readonly operationId: string | undefined
  }>
}

type Json = Record<string, unknown>

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const
const SCHEMA_ID = "urn:sn365:openapi"
const SCHEMA_REF_PREFIX = "#/components/schemas/"
/** OpenAPI annotations that are not JSON Schema 2020-12 keywords. */
const OPENAPI_KEYWORDS = ["discriminator", "xml", "externalDocs", "example"]
/** Header parameters OpenAPI says to ignore (they are described elsewhere). */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"])

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const decodePointerPart = (part: string) => part.replaceAll("~1", "/").replaceAll("~0", "~")

/** Follows OpenAPI `$ref`s (not schema refs) until a concrete object is reached. */
const deref = (document: Json, value: unknown): Json => {
  let current = value
  for (let depth = 0; depth < 32 && isObject(current) && typeof current.$ref === "string"; depth++) {
    const ref = current.$ref
    if (!ref.startsWith("#/")) throw new Error(`openapi: only local $refs are supported, got ${ref}`)
    let target: unknown = document
    for (const part of ref.slice(2).split("/")) {
      target = isObject(target) ? target[decodePointerPart(part)] : undefined
    }
    if (target === undefined) throw new Error(`openapi: unresolved $ref ${ref}`)
    current = target
  }
  if (!isObject(current)) throw new Error("openapi: expected an object")
  return current
}

/**
 * Rewrites `#/components/schemas/X` to the id under which ajv knows the components, and drops
 * `x-…` specification extensions (annotations for people and generators, not constraints).
 */
const rewriteSchemaRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteSchemaRefs)
  if (!isObject(value)) return value
  const out: Json = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith("x-")) continue
    if (key === "$ref" && typeof inner === "string") {
      if (inner.startsWith(SCHEMA_REF_PREFIX)) {
        out.$ref = `${SCHEMA_ID}#/$defs/${inner.slice(SCHEMA_REF_PREFIX.length)}`
      } else if (inner.startsWith("#")) {
        throw new Error(`openapi: schema $ref must point into #/components/schemas, got ${inner}`)
      } else {
        out.$ref = inner
      }
    } else {
      out[key] = rewriteSchemaRefs(inner)
    }
  }
  return out
}

interface Template {
  readonly path: string
  readonly regex: RegExp
  readonly names: ReadonlyArray<string>
  readonly literalLength: number
  readonly item: Json
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const compileTemplate = (path: string, item: Json): Template => {
  const names: Array<string> = []
  let literalLength = 0
  const source = path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (part.startsWith("{") && part.endsWith("}")) {
        names.push(part.slice(1, -1))
        return "([^/]+)"
      }
      literalLength += part.length
      return escapeRegex(part)
    })
    .join("")
  return { path, regex: new RegExp(`^${source}$`), names, literalLength, item }
}

const mediaType = (header: string | undefined) => header?.split(";")[0]?.trim().toLowerCase() || undefined

const mediaMatches = (range: string, type: string) => {
  if (range === "*/*" || type === "*/*") return true
  const [rangeMain, rangeSub] = range.split("/")
  const [typeMain, typeSub] = type.split("/")
  if (rangeSub === "*" || typeSub === "*") return rangeMain === typeMain
  return range === type
}

const acceptable = (accept: string, produces: ReadonlyArray<string>) =>
  accept.split(",").some((entry) => {
    const [range, ...params] = entry.split(";").map((s) => s.trim().toLowerCase())
    if (range === undefined || range === "") return false
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) return false
    return produces.some((type) => mediaMatches(range, type.toLowerCase()))
  })

const parseBody = (
  type: string,
  body: Buffer,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return { ok: true, value: JSON.parse(body.toString("utf8")) }
    } catch {
      return { ok: false }
    }
  }
  if (type === "application/x-www-form-urlencoded") {
    const out: Record<string, string> = {}
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) {
      if (!(key in out)) out[key] = value
    }
    return { ok: true, value: out }
  }
  if (type.startsWith("text/")) return { ok: true, value: body.toString("utf8") }
  return { ok: true, value: body }
}

interface Parameter {
  readonly name: string
  readonly in: "path" | "query" | "header" | "cookie"
  readonly required: boolean
  readonly explode: boolean
  readonly schema: Json
}

interface CompiledOperation {
  readonly method: string
  readonly operationId: string | undefined
  readonly operation: Json
  readonly parameters: ReadonlyArray<Parameter>
  readonly produces: ReadonlyArray<string>
  readonly body: { readonly required: boolean; readonly content: Json } | undefined
  /** Compiled on first use. */
  validators?: {
    readonly params: Record<"path" | "query" | "header", ValidateFunction | undefined>
    readonly body: Map<string, ValidateFunction | undefined>
  }
}

const describeError = (where: RequestIssueLocation, error: ErrorObject): RequestIssue => {
  if (where === "body") {
    const missing = error.keyword === "required" ? `/${String(error.params.missingProperty)}` : ""
    const extra =
      error.keyword === "additionalProperties" ? `/${String(error.params.additionalProperty)}` : ""
    const pointer = `${error.instancePath}${missing}${extra}`
    return { in: "body", pointer, message: `body${pointer} ${error.message ?? "is invalid"}` }
  }
  // Parameter objects are validated as `{ name: value }`: the first pointer part is the name.
  const [, first = "", ...rest] = error.instancePath.split("/")
  const name =
    error.keyword === "required" && first === ""
      ? String(error.params.missingProperty)
      : decodePointerPart(first)
  const pointer = rest.length === 0 ? "" : `/${rest.join("/")}`
  const what = error.keyword === "required" && first === "" ? "is required" : (error.message ?? "is invalid")
  return { in: where, name, pointer, message: `${where} parameter '${name}'${pointer} ${what}` }
}

/**
 * Compiles an OpenAPI 3.1 document for request validation. Pure and cheap: schemas are compiled by
 * ajv on first use of each operation.
 */
export const compileOpenApi = (document: unknown, options: OpenApiOptions = {}): OpenApi => {
  if (!isObject(document) || !isObject(document.paths)) throw new Error("openapi: document has no paths")
  const doc = document
  const paths = document.paths
  const servers = Array.isArray(doc.servers) ? doc.servers : []
  const serverUrl = isObject(servers[0]) && typeof servers[0].url === "string" ? servers[0].url : "/"
  const basePath = (
    options.basePath ?? new URL(serverUrl.replace(/\{[^}]+\}/g, "x"), "https://base.invalid").pathname
  ).replace(/\/+$/, "")

  const makeAjv = (coerceTypes: boolean) => {
    const ajv = new Ajv2020({
      allErrors: true,
      coerceTypes,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
    })
    addFormats.default(ajv)
    ajv.addVocabulary(OPENAPI_KEYWORDS)
    const components = isObject(doc.components) ? doc.components : {}
    const schemas = isObject(components.schemas) ? components.schemas : {}
    ajv.addSchema({ $id: SCHEMA_ID, $defs: rewriteSchemaRefs(schemas) })
    return ajv
  }
  let ajvs: { readonly strict: Ajv2020; readonly coercing: Ajv2020 } | undefined
  const getAjvs = () => {
    ajvs ??= { strict: makeAjv(false), coercing: makeAjv(true) }
    return ajvs
  }

  const templates = Object.entries(paths)
    .map(([path, item]) => compileTemplate(path, deref(doc, item)))
    .sort((a, b) => a.names.length - b.names.length || b.literalLength - a.literalLength)

  const operationCache = new Map<string, CompiledOperation | undefined>()
  const operationOf = (template: Template, method: string): CompiledOperation | undefined => {
    const key = `${method} ${template.path}`
    if (operationCache.has(key)) return operationCache.get(key)
    const raw = template.item[method]
    let compiled: CompiledOperation | undefined
    if (isObject(raw)) {
      const byKey = new Map<string, Parameter>()
      const shared = Array.isArray(template.item.parameters) ? template.item.parameters : []
      const own = Array.isArray(raw.parameters) ? raw.parameters : []
      for (const entry of [...shared, ...own]) {
        const p = deref(doc, entry)
        const location = p.in as Parameter["in"]
        const style = typeof p.style === "string" ? p.style : "form"
        byKey.set(`${location}:${String(p.name)}`, {
          name: location === "header" ? String(p.name).toLowerCase() : String(p.name),
          in: location,
          required: p.required === true || location === "path",
          explode: typeof p.explode === "boolean" ? p.explode : style === "form",
          schema: isObject(p.schema) ? p.schema : {},
        })
      }
      const produces = new Set<string>()
      const responses = isObject(raw.responses) ? raw.responses : {}
      for (const [status, response] of Object.entries(responses)) {
        if (!/^2/.test(status)) continue
        const content = deref(doc, response).content
        if (isObject(content)) for (const type of Object.keys(content)) produces.add(type)
      }
      const requestBody = raw.requestBody === undefined ? undefined : deref(doc, raw.requestBody)
      compiled = {
        method: method.toUpperCase(),
        operationId: typeof raw.operationId === "string" ? raw.operationId : undefined,
        operation: raw,
        parameters: [...byKey.values()],
        produces: [...produces],
        body:
          requestBody === undefined
            ? undefined
            : {
                required: requestBody.required === true,
                content: isObject(requestBody.content) ? requestBody.content : {},
              },
      }
    }
    operationCache.set(key, compiled)
    return compiled
  }

  const validatorsOf = (operation: CompiledOperation) => {
    if (operation.validators !== undefined) return operation.validators
    const { strict, coercing } = getAjvs()
    const paramSchema = (where: "path" | "query" | "header") => {
      const params = operation.parameters.filter((p) => p.in === where)
      if (params.length === 0) return undefined
      return coercing.compile(
        rewriteSchemaRefs({
          type: "object",
          properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
          required: params.filter((p) => p.required).map((p) => p.name),
        }) as Json,
      )
    }
    const body = new Map<string, ValidateFunction | undefined>()
    for (const [type, media] of Object.entries(operation.body?.content ?? {})) {
      const schema = isObject(media) && isObject(media.schema) ? media.schema : undefined
      const ajv = type === "application/x-www-form-urlencoded" ? coercing : strict
      body.set(
        type.toLowerCase(),
        schema === undefined ? undefined : ajv.compile(rewriteSchemaRefs(schema) as Json),
      )
    }
    operation.validators = {
      params: { path: paramSchema("path"), query: paramSchema("query"), header: paramSchema("header") },
      body,
    }
    return operation.validators
  }

  const validate = (request: EmulatorRequest): ValidationResult => {
    const pathname = request.url.pathname
    if (basePath !== "" && !(pathname === basePath || pathname.startsWith(`${basePath}/`))) {
      return { ok: false, problem: { kind: "not-found" } }
    }
    const relative = pathname.slice(basePath.length) || "/"
    const method = request.method.toLowerCase()
    const matches: Array<{ template: Template; values: Array<string> }> = []
    for (const template of templates) {
      const found = template.regex.exec(relative)
      if (found !== null) matches.push({ template, values: found.slice(1) })
    }
    if (matches.length === 0) return { ok: false, problem: { kind: "not-found" } }

    let chosen: { template: Template; values: Array<string>; operation: CompiledOperation } | undefined
    for (const match of matches) {
      const operation =
        operationOf(match.template, method) ??
        (method === "head" ? operationOf(match.template, "get") : undefined)
      if (operation !== undefined) {
        chosen = { ...match, operation }
        break
      }
    }
    if (chosen === undefined) {
      const allow = new Set<string>()
      for (const { template } of matches) {
        for (const m of METHODS) if (operationOf(template, m) !== undefined) allow.add(m.toUpperCase())
      }
      if (allow.has("GET")) allow.add("HEAD")
      return { ok: false, problem: { kind: "method-not-allowed", allow: [...allow] } }
    }
    const { template, values, operation } = chosen
    const where = {
      path: template.path,
      ...(operation.operationId ? { operationId: operation.operationId } : {}),
    }

    const accept = request.headers.accept
    if (accept !== undefined && operation.produces.length > 0 && !acceptable(accept, operation.produces)) {
      return {
        ok: false,
        ...where,
        problem: { kind: "not-acceptable", accept, produces: operation.produces },
      }
    }

    const validators = validatorsOf(operation)
    const issues: Array<RequestIssue> = []
    const params = { path: {} as Json, query: {} as Json, header: {} as Json }
    const pathValues = new Map<string, string>()
    template.names.forEach((name, index) => {
      const raw = values[index] ?? ""
      let decoded = raw
      try {
        decoded = decodeURIComponent(raw)
      } catch {
        // keep the raw text; the schema decides whether it is acceptable
      }
      pathValues.set(name, decoded)
    })
    for (const p of operation.parameters) {
      if (p.in === "cookie") continue
      if (p.in === "header" && IGNORED_HEADERS.has(p.name)) continue
      const isArray = p.schema.type === "array"
      let raw: Array<string>
      if (p.in === "path") raw = pathValues.has(p.name) ? [pathValues.get(p.name) ?? ""] : []
      else if (p.in === "query") raw = request.url.searchParams.getAll(p.name)
      else raw = request.headers[p.name] === undefined ? [] : [request.headers[p.name] ?? ""]
      if (raw.length === 0) continue
      const first = raw[0] ?? ""
      params[p.in][p.name] = isArray ? (p.explode && p.in === "query" ? raw : first.split(",")) : first
    }
    for (const location of ["path", "query", "header"] as const) {
      const validator = validators.params[location]
      if (validator !== undefined && !validator(params[location])) {
        for (const error of validator.errors ?? []) issues.push(describeError(location, error))
      }
    }

    let body: unknown
    let contentType: string | undefined
    if (operation.body !== undefined) {
      if (request.body.length === 0) {
        if (operation.body.required) issues.push({ in: "body", pointer: "", message: "body is required" })
      } else {
        const consumes = Object.keys(operation.body.content)
        contentType = mediaType(request.headers["content-type"])
        const declared =
          contentType === undefined
            ? undefined
            : consumes.find((type) => mediaMatches(type.toLowerCase(), contentType ?? ""))
        if (declared === undefined) {
          return { ok: false, ...where, problem: { kind: "unsupported-media-type", contentType, consumes } }
        }
        const parsed = parseBody(contentType ?? declared, request.body)
        if (!parsed.ok) {
          issues.push({ in: "body", pointer: "", message: "body is not valid JSON" })
        } else {
          body = parsed.value
          const validator = validators.body.get(declared.toLowerCase())
          if (validator !== undefined && !validator(body)) {
            for (const error of validator.errors ?? []) issues.push(describeError("body", error))
          }
        }
      }
    }
    if (issues.length > 0) return { ok: false, ...where, problem: { kind: "invalid-request", issues } }
    return {
      ok: true,
      operation: {
        path: template.path,
        method: operation.method,
        operationId: operation.operationId,
        operation: operation.operation,
        params,
        contentType,
        body,
      },
    }
  }

  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const raw = deref(doc, item)[method]
      if (!isObject(raw)) return []
      const operationId = typeof raw.operationId === "string" ? raw.operationId : undefined
      return [{ method: method.toUpperCase(), path, operationId }]
    }),
  )

  return { validate, operations }
}

/** A one-line human summary of a {@link RequestProblem}, for error details and logs. */
export const describeProblem = (problem: RequestProblem): string => {
  switch (problem.kind) {
    case "not-found":
      return "no operation matches this path"
    case "method-not-allowed":
      return `method not allowed; allowed: ${problem.allow.join(", ")}`
    case "not-acceptable":
      return `cannot produce '${problem.accept}'; available: ${problem.produces.join(", ")}`
    case "unsupported-media-type":
      return problem.contentType === undefined
        ? `a Content-Type header is required; accepted: ${problem.consumes.join(", ")}`
        : `unsupported Content-Type '${problem.contentType}'; accepted: ${problem.consumes.join(", ")}`
    case "invalid-request":
      return problem.issues.map((issue) => issue.message).join("; ")
  }
}
