/**
 * Preloaded with `node --import` by Bin.test.ts: records every module URL the process resolves
 * and prints the list on stderr at exit, so a test can check what `sn365 --help` loads.
 */
import { registerHooks } from "node:module"

const loaded: Array<string> = []
registerHooks({
  resolve: (specifier, context, nextResolve) => {
    const result = nextResolve(specifier, context)
    loaded.push(result.url)
    return result
  },
})
process.on("exit", () => {
  process.stderr.write(`\nLOADED ${JSON.stringify(loaded)}\n`)
})
