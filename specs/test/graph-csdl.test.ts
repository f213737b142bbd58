/**
 * Conformance of `specs/microsoft-graph/applications.yaml` with Microsoft's official Graph v1.0
 * CSDL (`../shared/reference/microsoft-graph/v1.0-cleanMetadata.csdl.xml`, read in place, never
 * copied into the repository).
 *
 * Every property declared on a `microsoft.graph.<type>` schema must exist on that CSDL type (or a
 * base type) with the same type under the Edm → JSON Schema mapping below, the same nullability,
 * and, for structured types, a `$ref` to the schema of the same CSDL type. Alternate-key paths and
 * the addPassword/removePassword bodies are checked against the CSDL too.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { XMLParser } from "fast-xml-parser"
import { parse } from "yaml"
import { note, reference } from "./reference.ts"

const csdlFile = reference("microsoft-graph", "v1.0-cleanMetadata.csdl.xml")
const csdlPath = csdlFile.path
const specPath = fileURLToPath(new URL("../microsoft-graph/applications.yaml", import.meta.url))

// ---------------------------------------------------------------------------------------------
// The CSDL side

interface CsdlProperty {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
}

interface CsdlType {
  readonly name: string
  readonly kind: "EntityType" | "ComplexType" | "EnumType"
  readonly baseType: string | undefined
  readonly properties: ReadonlyArray<CsdlProperty>
  readonly alternateKeys: ReadonlyArray<string>
}

interface CsdlAction {
  readonly name: string
  readonly bindingType: string
  readonly parameters: ReadonlyArray<CsdlProperty>
  readonly returnType: CsdlProperty | undefined
}

type XmlNode = Record<string, unknown>

const asArray = (value: unknown): ReadonlyArray<XmlNode> =>
  value === undefined ? [] : Array.isArray(value) ? (value as Array<XmlNode>) : [value as XmlNode]

const attr = (node: XmlNode, name: string): string | undefined => {
  const value = node[`@_${name}`]
  return value === undefined ? undefined : String(value)
}

const toProperty = (node: XmlNode): CsdlProperty => ({
  name: attr(node, "Name") ?? "",
  type: attr(node, "Type") ?? "",
  nullable: attr(node, "Nullable") !== "false",
})

/** The `Alias` values of an `Org.OData.Core.V1.AlternateKeys` annotation on a type. */
const alternateKeysOf = (node: XmlNode): ReadonlyArray<string> => {
  const out: Array<string> = []
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item)
      return
    }
    if (value === null || typeof value !== "object") return
    const record = value as XmlNode
    if (attr(record, "Property") === "Alias" && attr(record, "String") !== undefined) {
      out.push(attr(record, "String") ?? "")
    }
    for (const child of Object.values(record)) walk(child)
  }
  for (const annotation of asArray(node.Annotation)) {
    if (attr(annotation, "Term") === "Org.OData.Core.V1.AlternateKeys") walk(annotation)
  }
  return out
}

const loadCsdl = () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_" })
  const root = parser.parse(readFileSync(csdlPath, "utf8")) as XmlNode
  const dataServices = (root["edmx:Edmx"] as XmlNode)["edmx:DataServices"] as XmlNode
  const schema = asArray(dataServices.Schema).find((s) => attr(s, "Namespace") === "microsoft.graph")
  if (schema === undefined) throw new Error("CSDL has no microsoft.graph schema")
  const types = new Map<string, CsdlType>()
  for (const kind of ["EntityType", "ComplexType", "EnumType"] as const) {
    for (const node of asArray(schema[kind])) {
      const name = attr(node, "Name") ?? ""
      types.set(name, {
        name,
        kind,
        baseType: attr(node, "BaseType"),
        properties: asArray(node.Property).map(toProperty),
        alternateKeys: alternateKeysOf(node),
      })
    }
  }
  const actions: Array<CsdlAction> = asArray(schema.Action).map((node) => {
    const [binding, ...parameters] = asArray(node.Parameter).map(toProperty)
    const returnType = asArray(node.ReturnType)[0]
    return {
      name: attr(node, "Name") ?? "",
      bindingType: binding?.type ?? "",
      parameters,
      returnType:
        returnType === undefined
          ? undefined
          : {
              name: "",
              type: attr(returnType, "Type") ?? "",
              nullable: attr(returnType, "Nullable") !== "false",
            },
    }
  })
  return { types, actions }
}

const stripNamespace = (type: string) => type.replace(/^(graph|microsoft\.graph)\./, "")

/** Every property of a CSDL type, its base types' included (`application` → `directoryObject` → `entity`). */
const allProperties = (types: ReadonlyMap<string, CsdlType>, name: string): Map<string, CsdlProperty> => {
  const out = new Map<string, CsdlProperty>()
  let current = types.get(name)
  while (current !== undefined) {
    for (const property of current.properties) if (!out.has(property.name)) out.set(property.name, property)
    current = current.baseType === undefined ? undefined : types.get(stripNamespace(current.baseType))
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// The mapping: CSDL types and JSON Schemas both normalised to one shape

/** A property type reduced to what the mapping compares. */
type Shape =
  | {
      readonly kind: "scalar"
      readonly type: string
      readonly format: string | undefined
      readonly nullable: boolean
    }
  | { readonly kind: "ref"; readonly target: string; readonly nullable: boolean }
  | { readonly kind: "array"; readonly items: Shape }

/**
 * Edm primitive → JSON Schema `type` and `format`, as Microsoft's own CSDL → OpenAPI conversion
 * (Microsoft.OpenApi.OData) maps them.
 */
const EDM: Readonly<Record<string, { readonly type: string; readonly format?: string }>> = {
  "Edm.String": { type: "string" },
  "Edm.Boolean": { type: "boolean" },
  "Edm.Byte": { type: "integer", format: "uint8" },
  "Edm.SByte": { type: "integer", format: "int8" },
  "Edm.Int16": { type: "integer", format: "int16" },
  "Edm.Int32": { type: "integer", format: "int32" },
  "Edm.Int64": { type: "integer", format: "int64" },
  "Edm.Single": { type: "number", format: "float" },
  "Edm.Double": { type: "number", format: "double" },
  "Edm.Decimal": { type: "number", format: "decimal" },
  "Edm.Guid": { type: "string", format: "uuid" },
  "Edm.DateTimeOffset": { type: "string", format: "date-time" },
  "Edm.Date": { type: "string", format: "date" },
  "Edm.TimeOfDay": { type: "string", format: "time" },
  "Edm.Duration": { type: "string", format: "duration" },
  "Edm.Binary": { type: "string", format: "base64url" },
  "Edm.Stream": { type: "string", format: "base64url" },
}

const SCHEMA_PREFIX = "#/components/schemas/microsoft.graph."

/** The expected shape of a CSDL type reference; `nullable` is the CSDL `Nullable` facet. */
const csdlShape = (type: string, nullable: boolean): Shape => {
  const collection = /^Collection\((.+)\)$/.exec(type)
  // A collection is never null; the facet applies to its items.
  if (collection?.[1] !== undefined) return { kind: "array", items: csdlShape(collection[1], nullable) }
  const edm = EDM[type]
  if (edm !== undefined) return { kind: "scalar", type: edm.type, format: edm.format, nullable }
  if (type.startsWith("Edm.")) throw new Error(`no JSON Schema mapping for ${type}`)
  return { kind: "ref", target: stripNamespace(type), nullable }
}

type JsonSchema = Record<string, unknown>

/** The shape of a declared JSON Schema (OpenAPI 3.1: `type: [T, "null"]`, `anyOf: [{$ref}, {type: "null"}]`). */
const schemaShape = (schema: JsonSchema): Shape => {
  if (typeof schema.$ref === "string") {
    if (!schema.$ref.startsWith(SCHEMA_PREFIX))
      throw new Error(`$ref outside microsoft.graph: ${schema.$ref}`)
    return { kind: "ref", target: schema.$ref.slice(SCHEMA_PREFIX.length), nullable: false }
  }
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf as Array<JsonSchema>
    const isNull = (s: JsonSchema) => s.type === "null"
    const rest = branches.filter((s) => !isNull(s))
    const only = rest[0]
    if (rest.length !== 1 || only === undefined)
      throw new Error(`unsupported anyOf: ${JSON.stringify(schema)}`)
    const inner = schemaShape(only)
    if (inner.kind === "array") throw new Error("a collection is never nullable")
    return { ...inner, nullable: branches.some(isNull) }
  }
  const types = Array.isArray(schema.type) ? (schema.type as Array<string>) : [schema.type as string]
  const nullable = types.includes("null")
  const base = types.filter((t) => t !== "null")
  if (base.length !== 1) throw new Error(`unsupported type: ${JSON.stringify(schema.type)}`)
  if (base[0] === "array") {
    if (nullable) throw new Error("a collection is never nullable")
    return { kind: "array", items: schemaShape(schema.items as JsonSchema) }
  }
  return {
    kind: "scalar",
    type: base[0] ?? "",
    format: typeof schema.format === "string" ? schema.format : undefined,
    nullable,
  }
}

// ---------------------------------------------------------------------------------------------
// The spec side

const spec = parse(readFileSync(specPath, "utf8")) as {
  paths: Record<string, unknown>
  components: { schemas: Record<string, JsonSchema>; requestBodies: Record<string, JsonSchema> }
}
// Loaded only when the reference is there; otherwise the suite below is skipped.
const csdl: ReturnType<typeof loadCsdl> = csdlFile.present ? loadCsdl() : { types: new Map(), actions: [] }

/** The `microsoft.graph.*` schemas that model CSDL types (not the error envelope or collection pages). */
const modelled = Object.entries(spec.components.schemas).filter(
  ([key]) =>
    key.startsWith("microsoft.graph.") &&
    !key.startsWith("microsoft.graph.ODataErrors.") &&
    !key.endsWith("CollectionResponse"),
)

/** Every mismatch between one declared schema and its CSDL type, as readable lines. */
const mismatches = (typeName: string, schema: JsonSchema): ReadonlyArray<string> => {
  const type = csdl.types.get(typeName)
  if (type === undefined) return [`${typeName}: no such type in the CSDL`]
  if (type.kind === "EnumType") return [`${typeName}: is an enum in the CSDL, not a structured type`]
  const official = allProperties(csdl.types, typeName)
  const problems: Array<string> = []
  for (const [name, declared] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    if (name.startsWith("@odata.")) continue
    const property = official.get(name)
    if (property === undefined) {
      problems.push(`${typeName}.${name}: not a property of ${typeName} in the CSDL`)
      continue
    }
    let actual: Shape
    try {
      actual = schemaShape(declared)
    } catch (error) {
      problems.push(`${typeName}.${name}: ${(error as Error).message}`)
      continue
    }
    const expected = csdlShape(property.type, property.nullable)
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(
        `${typeName}.${name}: declared ${JSON.stringify(actual)}, CSDL ${property.type}${property.nullable ? "" : " (not nullable)"} → ${JSON.stringify(expected)}`,
      )
    }
  }
  return problems
}

const propertyOf = (schema: JsonSchema, name: string): JsonSchema =>
  ((schema.properties ?? {}) as Record<string, JsonSchema>)[name] ?? {}

const requestBodySchema = (name: string): JsonSchema => {
  const content = (spec.components.requestBodies[name]?.content ?? {}) as Record<
    string,
    { schema: JsonSchema }
  >
  return content["application/json"]?.schema ?? {}
}

const refsOf = (shape: Shape): ReadonlyArray<string> =>
  shape.kind === "ref" ? [shape.target] : shape.kind === "array" ? refsOf(shape.items) : []

describe.skipIf(!csdlFile.present)(`Graph spec ↔ official v1.0 CSDL${note(csdlFile.present)}`, () => {
  it("declares the types sn365 relies on", () => {
    const names = modelled.map(([key]) => key)
    for (const required of ["application", "passwordCredential", "servicePrincipal", "webApplication"]) {
      expect(names).toContain(`microsoft.graph.${required}`)
    }
  })

  it.each(modelled)("%s: every declared property matches the CSDL", (key, schema) => {
    expect(mismatches(key.slice("microsoft.graph.".length), schema)).toEqual([])
  })

  it("resolves every structured property to a declared schema of the same CSDL type", () => {
    const declared = new Set(modelled.map(([key]) => key.slice("microsoft.graph.".length)))
    const missing: Array<string> = []
    for (const [key, schema] of modelled) {
      for (const [name, property] of Object.entries(
        (schema.properties ?? {}) as Record<string, JsonSchema>,
      )) {
        if (name.startsWith("@odata.")) continue
        for (const target of refsOf(schemaShape(property))) {
          if (!declared.has(target)) missing.push(`${key}.${name} → ${target}`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  it("declares the entity base-type properties (id, deletedDateTime) that the CSDL inherits", () => {
    for (const name of ["application", "servicePrincipal"]) {
      const properties = spec.components.schemas[`microsoft.graph.${name}`]?.properties as Record<
        string,
        unknown
      >
      expect(Object.keys(properties)).toEqual(expect.arrayContaining(["id", "deletedDateTime"]))
      expect(csdl.types.get(name)?.baseType).toBe("graph.directoryObject")
    }
  })

  it("collection pages hold the entity they list", () => {
    for (const name of ["application", "servicePrincipal"]) {
      const page = spec.components.schemas[`microsoft.graph.${name}CollectionResponse`]
      expect(schemaShape(propertyOf(page ?? {}, "value"))).toEqual({
        kind: "array",
        items: { kind: "ref", target: name, nullable: false },
      })
    }
  })

  it("addresses entities by an alternate key only where the CSDL declares one", () => {
    const used = new Map<string, Set<string>>()
    for (const path of Object.keys(spec.paths)) {
      const match = /^\/(applications|servicePrincipals)\((\w+)=/.exec(path)
      if (match?.[1] === undefined || match[2] === undefined) continue
      const type = match[1] === "applications" ? "application" : "servicePrincipal"
      used.set(type, (used.get(type) ?? new Set()).add(match[2]))
    }
    expect([...(used.get("application") ?? [])].sort()).toEqual(["appId", "uniqueName"])
    expect([...(used.get("servicePrincipal") ?? [])]).toEqual(["appId"])
    for (const [type, keys] of used) {
      for (const key of keys) expect(csdl.types.get(type)?.alternateKeys).toContain(key)
    }
  })

  it("addPassword and removePassword bodies match the bound actions", () => {
    const bound = (name: string) =>
      csdl.actions.find((action) => action.name === name && action.bindingType === "graph.application")
    const addPassword = bound("addPassword")
    expect(addPassword?.parameters.map((p) => p.name)).toEqual(["passwordCredential"])
    expect(addPassword?.returnType).toEqual({ name: "", type: "graph.passwordCredential", nullable: false })
    const addSchema = requestBodySchema("addPassword")
    const addParameter = addPassword?.parameters[0]
    expect(addParameter).toBeDefined()
    if (addParameter !== undefined) {
      expect(schemaShape(propertyOf(addSchema, "passwordCredential"))).toEqual(
        csdlShape(addParameter.type, addParameter.nullable),
      )
    }
    const removePassword = bound("removePassword")
    expect(removePassword?.parameters).toEqual([{ name: "keyId", type: "Edm.Guid", nullable: false }])
    const removeSchema = requestBodySchema("removePassword")
    expect(removeSchema.required).toEqual(["keyId"])
    expect(schemaShape(propertyOf(removeSchema, "keyId"))).toEqual(csdlShape("Edm.Guid", false))
  })

  it("the comparison itself catches wrong names, types, formats, nullability and references", () => {
    const wrong: JsonSchema = {
      properties: {
        appid: { type: "string" }, // wrong case
        displayName: { type: "string" }, // nullable in the CSDL
        tags: { type: ["array", "null"], items: { type: "string" } }, // collections are never null
        tokenEncryptionKeyId: { type: ["string", "null"] }, // Edm.Guid needs format uuid
        web: { $ref: "#/components/schemas/microsoft.graph.spaApplication" }, // wrong type, and nullable
        createdDateTime: { type: ["string", "null"], format: "date-time" }, // correct
      },
    }
    const problems = mismatches("application", wrong)
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "application.appid",
      "application.displayName",
      "application.tags",
      "application.tokenEncryptionKeyId",
      "application.web",
    ])
    expect(mismatches("noSuchType", {})).toEqual(["noSuchType: no such type in the CSDL"])
  })
})
