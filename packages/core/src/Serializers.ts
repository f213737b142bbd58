/**
 * Drop-in URL serializers for openapi-fetch clients (its `pathSerializer` and `querySerializer`
 * options), with openapi-fetch's own output for every parameter they take and less work per request.
 *
 * openapi-fetch's default path serializer matches the template against a regular expression and
 * rewrites the URL once per parameter, on every request; its query serializer copies its options
 * once per parameter. Together that was 1.5–3 % of a loopback GET (bench figure 5). These split
 * each template once and build the URL in one pass; anything they do not handle themselves
 * (label, matrix and exploded path parameters, object values) goes to openapi-fetch's serializer.
 *
 * @module
 */
import {
  createQuerySerializer,
  defaultPathSerializer,
  type PathSerializer,
  type QuerySerializer,
} from "openapi-fetch"

// `{name}` in a path template; splitting on it leaves the literal text at even indices and the
// names at odd ones.
const PLACEHOLDER = /\{([^{}]+)\}/
// A label (`{.name}`), matrix (`{;name}`) or exploded (`{name*}`) parameter.
const STYLED = /^[.;]|\*$/
/** Templates remembered: base URLs × spec paths; forgotten all at once beyond this. */
const MAX_TEMPLATES = 1024

// `null`: a template with styled parameters, left to openapi-fetch.
const templates = new Map<string, ReadonlyArray<string> | null>()

const partsOf = (template: string): ReadonlyArray<string> | null => {
  let parts = templates.get(template)
  if (parts === undefined) {
    const split = template.split(PLACEHOLDER)
    parts = split.some((part, i) => i % 2 === 1 && STYLED.test(part)) ? null : split
    if (templates.size >= MAX_TEMPLATES) templates.clear()
    templates.set(template, parts)
  }
  return parts
}

/**
 * openapi-fetch's default path serializer, without its per-request regular expression: each
 * template (the base URL and the spec path, as openapi-fetch passes it) is split once. A value is
 * percent-encoded with `encodeURIComponent`; a missing one leaves its `{name}` in place. Unlike the
 * default, which substitutes with `String.replace`, a value containing `$&` or `$'` is inserted as
 * it is.
 *
 * @example
 * ```ts
 * const api = createClient<paths>({ baseUrl, fetch: transportFetch(), pathSerializer })
 * pathSerializer("https://x.example/users/{id}", { id: "a b" }) // "https://x.example/users/a%20b"
 * ```
 */
export const pathSerializer: PathSerializer = (template, params) => {
  const parts = partsOf(template)
  if (parts === null) return defaultPathSerializer(template, params)
  let url = parts[0] as string
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string
    const value = params[name]
    if (value === undefined || value === null) url += `{${name}}`
    else if (typeof value === "object") return defaultPathSerializer(template, params)
    else url += encodeURIComponent(value as string | number | boolean)
    url += parts[i + 1]
  }
  return url
}

// openapi-fetch's serializer with the same options, for the values handled below by hand.
const commaFallback = createQuerySerializer({ array: { style: "form", explode: false } })

/**
 * The query serializer `createQuerySerializer({ array: { style: "form", explode: false } })` makes
 * (lists as `name=a,b`, as ServiceNow wants them), in one pass: names as they are, values
 * percent-encoded, `undefined`, `null` and empty lists left out. Object values are serialized by
 * openapi-fetch (`deepObject`).
 *
 * @example
 * ```ts
 * const api = createClient<paths>({ baseUrl, fetch: transportFetch(), querySerializer: commaQuerySerializer })
 * commaQuerySerializer({ sysparm_fields: ["sys_id", "name"], sysparm_limit: 1 }) // "sysparm_fields=sys_id,name&sysparm_limit=1"
 * ```
 */
export const commaQuerySerializer: QuerySerializer<unknown> = (query) => {
  let search = ""
  if (query === null || typeof query !== "object") return search
  const params = query as Record<string, unknown>
  let pairs = 0
  for (const name in params) {
    const value = params[name]
    if (value === undefined || value === null) continue
    let pair: string
    if (Array.isArray(value)) {
      if (value.length === 0) continue
      pair = `${name}=${value.map(encodeURIComponent).join(",")}`
    } else if (typeof value === "object") {
      pair = commaFallback({ [name]: value })
    } else pair = `${name}=${encodeURIComponent(value as string | number | boolean)}`
    // As openapi-fetch joins them: an object that serializes to nothing still takes its `&`.
    search = pairs++ === 0 ? pair : `${search}&${pair}`
  }
  return search
}
