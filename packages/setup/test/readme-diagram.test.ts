import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { basicSteps } from "../src/basic/steps.ts"

// The READMEs show users the step graph; these tests keep them true to the code.
const README = new URL("../../../README.md", import.meta.url)
const PACKAGE_README = new URL("../README.md", import.meta.url)

const mermaidBlock = (markdown: string): string => {
  const match = /```mermaid\n([\s\S]*?)```/.exec(markdown)
  if (match?.[1] === undefined) throw new Error("README.md has no mermaid block")
  return match[1]
}

/** Edges as "dependency -> dependent" between step ids, from `a & b --> c --> d` lines. */
const edgesOf = (diagram: string): ReadonlyArray<string> => {
  const stepOf = new Map<string, string>()
  for (const [, node, label] of diagram.matchAll(/^\s*(\w+)\["([^"<]+)/gm)) {
    if (node !== undefined && label !== undefined) stepOf.set(node, label.trim())
  }
  const edges: Array<string> = []
  for (const line of diagram.split("\n")) {
    if (!line.includes("-->")) continue
    const groups = line.split("-->").map((group) =>
      group.split("&").map((node) => {
        const step = stepOf.get(node.trim())
        if (step === undefined) throw new Error(`README diagram: unknown node '${node.trim()}'`)
        return step
      }),
    )
    for (let i = 0; i + 1 < groups.length; i++) {
      for (const from of groups[i] ?? []) for (const to of groups[i + 1] ?? []) edges.push(`${from} -> ${to}`)
    }
  }
  return edges.sort()
}

/** Edges from the package README's step table: `| \`id\` | owner | procedure | \`dep\`, … |`. */
const tableEdgesOf = (markdown: string): ReadonlyArray<string> =>
  [...markdown.matchAll(/^\| `([\w.]+)` +\|[^|]*\|[^|]*\|([^|]*)\|$/gm)]
    .flatMap(([, step, deps]) =>
      [...(deps ?? "").matchAll(/`([\w.]+)`/g)].map(([, dep]) => `${dep} -> ${step}`),
    )
    .sort()

const declaredEdges = () =>
  basicSteps.flatMap((step) => step.dependsOn.map((dep) => `${dep} -> ${step.id}`)).sort()

describe("the READMEs' step graph", () => {
  it("the package README's table lists every step with exactly its dependencies", () => {
    const markdown = readFileSync(PACKAGE_README, "utf8")
    expect(tableEdgesOf(markdown)).toEqual(declaredEdges())
    for (const step of basicSteps) expect(markdown).toContain(`| \`${step.id}\``)
  })

  it("the root README draws every step and exactly the dependencies the steps declare", () => {
    const diagram = mermaidBlock(readFileSync(README, "utf8"))
    expect(edgesOf(diagram)).toEqual(declaredEdges())
    for (const step of basicSteps) expect(diagram).toContain(`["${step.id}`)
  })
})
