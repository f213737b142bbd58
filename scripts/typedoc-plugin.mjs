// @ts-check
/**
 * TypeDoc plugin: names each package's module after the package (`@sn365/core`) instead of its
 * entry point's path (`core/src`). Loaded by typedoc.json.
 */
import { Converter, ReflectionKind } from "typedoc"

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    const match = /^([a-z0-9-]+)\/src$/.exec(reflection.name)
    if (reflection.kindOf(ReflectionKind.Module) && match) reflection.name = `@sn365/${match[1]}`
  })
}
