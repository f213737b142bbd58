#!/usr/bin/env node
/**
 * The `sn365` executable. Enables Node's compile cache first, then loads the CLI.
 *
 * @module
 */
import { enableCompileCache } from "node:module"

enableCompileCache?.()
const { main } = await import("./Main.ts")
main(process.argv.slice(2))
