/**
 * Conformance of `specs/servicenow/table.yaml` with ServiceNow's own REST API Explorer export of the
 * Table API (`../shared/reference/servicenow/table-api-explorer-export.json`, read in place, never
 * copied). Paths, methods, parameters, success statuses, request media types and security schemes
 * are compared for each family of our paths (unversioned, versioned, typed per-table v2). Every
 * difference must be listed in {@link KNOWN_DIFFERENCES} with a one-line reason; an unlisted
 * difference, or a listed one that no longer occurs, fails the test.
 */
import { readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { note, reference } from "./reference.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const exported = reference("servicenow", "table-api-explorer-export.json")
const EXPORT = exported.path
const OURS = join(root, "specs", "servicenow", "table.yaml")

/** Difference → reason. `<table>` stands for every typed table of the per-table v2 paths. */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  "security: bearerAuth only in ours":
    "OAuth bearer tokens are accepted on the Table API (servicenow-api.md §2.2); the export declares Basic only.",
  "security: Basic only in export (ours: basicAuth)": "Same HTTP Basic scheme under our name.",
  // Methods
  "HEAD /api/now/table/{tableName}: method only in ours":
    "HEAD is supported on any GET URL [SN-REST]; the export omits it.",
  "HEAD /api/now/table/{tableName}/{sys_id}: method only in ours":
    "HEAD is supported on any GET URL [SN-REST].",
  "HEAD /api/now/{api_version}/table/{tableName}: method only in ours":
    "HEAD is supported on any GET URL [SN-REST].",
  "HEAD /api/now/{api_version}/table/{tableName}/{sys_id}: method only in ours":
    "HEAD is supported on any GET URL [SN-REST].",
  // Parameters
  "GET /api/now/table/{tableName}: query sysparm_offset only in ours":
    "Documented pagination parameter [SN-TABLE] missing from the export (servicenow-api.md §1.9).",
  "GET /api/now/{api_version}/table/{tableName}: query sysparm_offset only in ours":
    "Documented pagination parameter missing from the export.",
  "GET /api/now/v2/table/<table>: query sysparm_offset only in ours":
    "Documented pagination parameter missing from the export.",
  "GET /api/now/{api_version}/table/{tableName}: path api_version only in ours":
    "Versioned URLs are documented [SN-TABLE] but absent from the export.",
  "GET /api/now/{api_version}/table/{tableName}/{sys_id}: path api_version only in ours":
    "Versioned URLs are documented but absent from the export.",
  "POST /api/now/{api_version}/table/{tableName}: path api_version only in ours":
    "Versioned URLs are documented but absent from the export.",
  "PUT /api/now/{api_version}/table/{tableName}/{sys_id}: path api_version only in ours":
    "Versioned URLs are documented but absent from the export.",
  "PATCH /api/now/{api_version}/table/{tableName}/{sys_id}: path api_version only in ours":
    "Versioned URLs are documented but absent from the export.",
  "DELETE /api/now/{api_version}/table/{tableName}/{sys_id}: path api_version only in ours":
    "Versioned URLs are documented but absent from the export.",
  "GET /api/now/v2/table/<table>: path tableName only in export":
    "Typed per-table paths carry the table name literally.",
  "POST /api/now/v2/table/<table>: path tableName only in export":
    "Typed per-table paths carry the table name literally.",
  "GET /api/now/v2/table/<table>/{sys_id}: path tableName only in export":
    "Typed per-table paths carry the table name literally.",
  "PUT /api/now/v2/table/<table>/{sys_id}: path tableName only in export":
    "Typed per-table paths carry the table name literally.",
  "PATCH /api/now/v2/table/<table>/{sys_id}: path tableName only in export":
    "Typed per-table paths carry the table name literally.",
  "DELETE /api/now/v2/table/<table>/{sys_id}: path tableName only in export":
    "Typed per-table paths carry the table name literally.",
  "POST /api/now/table/{tableName}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE] the export does not model.",
  "PUT /api/now/table/{tableName}/{sys_id}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  "PATCH /api/now/table/{tableName}/{sys_id}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  "POST /api/now/{api_version}/table/{tableName}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  "PUT /api/now/{api_version}/table/{tableName}/{sys_id}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  "PATCH /api/now/{api_version}/table/{tableName}/{sys_id}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  "POST /api/now/v2/table/<table>: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  "PUT /api/now/v2/table/<table>/{sys_id}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  "PATCH /api/now/v2/table/<table>/{sys_id}: header X-no-response-body only in ours":
    "Documented request header [SN-TABLE].",
  // Success statuses
  "POST /api/now/table/{tableName}: success 201 in ours, 200 in export":
    "POST answers 201 Created + Location [SN-TABLE]; the export says 200 for everything.",
  "POST /api/now/{api_version}/table/{tableName}: success 201 in ours, 200 in export":
    "POST answers 201 [SN-TABLE].",
  "POST /api/now/v2/table/<table>: success 201 in ours, 200 in export": "POST answers 201 [SN-TABLE].",
  "DELETE /api/now/table/{tableName}/{sys_id}: success 204 in ours, 200 in export":
    "DELETE answers 204 with an empty body [SN-TABLE].",
  "DELETE /api/now/{api_version}/table/{tableName}/{sys_id}: success 204 in ours, 200 in export":
    "DELETE answers 204 [SN-TABLE].",
  "DELETE /api/now/v2/table/<table>/{sys_id}: success 204 in ours, 200 in export":
    "DELETE answers 204 [SN-TABLE].",
  // Media types
  "POST /api/now/table/{tableName}: request media types application/xml, text/xml only in export":
    "sn365 speaks JSON only; XML is not described.",
  "PUT /api/now/table/{tableName}/{sys_id}: request media types application/xml, text/xml only in export":
    "JSON only.",
  "PATCH /api/now/table/{tableName}/{sys_id}: request media types application/xml, text/xml only in export":
    "JSON only.",
  "POST /api/now/{api_version}/table/{tableName}: request media types application/xml, text/xml only in export":
    "JSON only.",
  "PUT /api/now/{api_version}/table/{tableName}/{sys_id}: request media types application/xml, text/xml only in export":
    "JSON only.",
  "PATCH /api/now/{api_version}/table/{tableName}/{sys_id}: request media types application/xml, text/xml only in export":
    "JSON only.",
  "POST /api/now/v2/table/<table>: request media types application/xml, text/xml only in export":
    "JSON only.",
  "PUT /api/now/v2/table/<table>/{sys_id}: request media types application/xml, text/xml only in export":
    "JSON only.",
  "PATCH /api/now/v2/table/<table>/{sys_id}: request media types application/xml, text/xml only in export":
    "JSON only.",
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

const deref = (doc: Json, value: unknown): Json => {
  let current = value
  while (isObject(current) && typeof current.$ref === "string") {
    let target: unknown = doc
    for (const part of current.$ref.slice(2).split("/")) target = isObject(target) ? target[part] : undefined
    current = target
  }
  return isObject(current) ? current : {}
}

interface Operation {
  readonly params: ReadonlySet<string>
  readonly success: ReadonlySet<string>
  readonly requestTypes: ReadonlySet<string>
}

const operationsOf = (doc: Json, path: string): Map<string, Operation> => {
  const item = deref(doc, (doc.paths as Json)[path])
  const shared = Array.isArray(item.parameters) ? item.parameters : []
  const out = new Map<string, Operation>()
  for (const method of METHODS) {
    const op = item[method]
    if (!isObject(op)) continue
    const own = Array.isArray(op.parameters) ? op.parameters : []
    const params = new Set(
      [...shared, ...own].map((p) => {
        const param = deref(doc, p)
        return `${String(param.in)} ${String(param.name)}`
      }),
    )
    const responses = isObject(op.responses) ? op.responses : {}
    const success = new Set(Object.keys(responses).filter((s) => /^2/.test(s)))
    const body = op.requestBody === undefined ? {} : deref(doc, op.requestBody)
    const requestTypes = new Set(isObject(body.content) ? Object.keys(body.content) : [])
    out.set(method.toUpperCase(), { params, success, requestTypes })
  }
  return out
}

const compare = (exported: Json, ours: Json): Array<string> => {
  const differences = new Set<string>()
  const exportSchemes = Object.keys(deref(exported, (exported.components as Json)?.securitySchemes))
  const ourSchemes = Object.keys(deref(ours, (ours.components as Json)?.securitySchemes))
  for (const scheme of ourSchemes) {
    if (!exportSchemes.includes(scheme) && scheme !== "basicAuth")
      differences.add(`security: ${scheme} only in ours`)
  }
  for (const scheme of exportSchemes) {
    if (!ourSchemes.includes(scheme)) differences.add(`security: ${scheme} only in export (ours: basicAuth)`)
  }
  const tables = ((ours.components as Json).schemas as Json).TableName as { enum: Array<string> }
  const families: Array<{ readonly from: (p: string) => string; readonly label: (p: string) => string }> = [
    { from: (p) => p, label: (p) => p },
    { from: (p) => p.replace("/api/now/table/", "/api/now/{api_version}/table/"), label: (p) => p },
    ...tables.enum.map((table) => ({
      from: (p: string) => p.replace("/api/now/table/{tableName}", `/api/now/v2/table/${table}`),
      label: (p: string) => p.replace(`/api/now/v2/table/${table}`, "/api/now/v2/table/<table>"),
    })),
  ]
  const ourPaths = ours.paths as Json
  const covered = new Set<string>()
  for (const exportPath of Object.keys(exported.paths as Json)) {
    const exportOps = operationsOf(exported, exportPath)
    for (const family of families) {
      const ourPath = family.from(exportPath)
      covered.add(ourPath)
      const label = family.label(ourPath)
      if (!(ourPath in ourPaths)) {
        differences.add(`${label}: path only in export`)
        continue
      }
      const ourOps = operationsOf(ours, ourPath)
      for (const [method, op] of ourOps) {
        const theirs = exportOps.get(method)
        if (theirs === undefined) {
          differences.add(`${method} ${label}: method only in ours`)
          continue
        }
        for (const p of op.params)
          if (!theirs.params.has(p)) differences.add(`${method} ${label}: ${p} only in ours`)
        for (const p of theirs.params)
          if (!op.params.has(p)) differences.add(`${method} ${label}: ${p} only in export`)
        for (const s of op.success) {
          if (!theirs.success.has(s)) {
            differences.add(
              `${method} ${label}: success ${s} in ours, ${[...theirs.success].join(",")} in export`,
            )
          }
        }
        const onlyExport = [...theirs.requestTypes].filter((t) => !op.requestTypes.has(t))
        if (onlyExport.length > 0) {
          differences.add(`${method} ${label}: request media types ${onlyExport.join(", ")} only in export`)
        }
        for (const t of op.requestTypes) {
          if (!theirs.requestTypes.has(t))
            differences.add(`${method} ${label}: request media type ${t} only in ours`)
        }
      }
      for (const method of exportOps.keys()) {
        if (!ourOps.has(method)) differences.add(`${method} ${label}: method only in export`)
      }
    }
  }
  for (const path of Object.keys(ourPaths)) {
    if (!covered.has(path)) differences.add(`${path}: path only in ours`)
  }
  return [...differences].sort()
}

describe.skipIf(!exported.present)(
  `specs/servicenow/table.yaml vs the REST API Explorer export${note(exported.present)}`,
  () => {
    it("differs only where KNOWN_DIFFERENCES says why", async () => {
      const document = JSON.parse(await readFile(EXPORT, "utf8")) as Json
      const ours = parse(await readFile(OURS, "utf8")) as Json
      expect(document.openapi).toBe("3.0.1")
      const differences = compare(document, ours)
      const unlisted = differences.filter((d) => !(d in KNOWN_DIFFERENCES))
      const stale = Object.keys(KNOWN_DIFFERENCES).filter((d) => !differences.includes(d))
      expect({ unlisted, stale }).toEqual({ unlisted: [], stale: [] })
    })
  },
)

// Needs no reference data, so it runs even where the export is absent.
describe("KNOWN_DIFFERENCES", () => {
  it("gives every known difference a one-line reason", () => {
    for (const [difference, reason] of Object.entries(KNOWN_DIFFERENCES)) {
      expect(reason.length, difference).toBeGreaterThan(5)
      expect(reason, difference).not.toContain("\n")
    }
  })
})
