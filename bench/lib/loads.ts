/**
 * `node --import bench/lib/loads.ts …`: records the URL of every module the process loads (ESM and
 * CommonJS, through Node's synchronous module hooks) and writes them to `$SN365_BENCH_LOADS` at exit.
 *
 * @module
 */
import { writeFileSync } from "node:fs"
import { registerHooks } from "node:module"

const loaded = new Set<string>()
registerHooks({
  load: (url, context, nextLoad) => {
    loaded.add(url)
    return nextLoad(url, context)
  },
})
process.on("exit", () => {
  const file = process.env.SN365_BENCH_LOADS
  if (file !== undefined) writeFileSync(file, JSON.stringify([...loaded]))
})
