/**
 * The emulated Microsoft side: the Entra token service (login), Microsoft Graph and the
 * admin-center support integration. PLACEHOLDER: replaced by the Microsoft emulator work.
 *
 * @module
 */
import type { EmulatedSystem, SystemContext } from "../server/system.ts"

/** Options for the emulated Microsoft services. */
export type MicrosoftOptions = {}

/** Run-time control and state inspection of the emulated Microsoft services. */
export type MicrosoftControl = {}

/** @internal */
export const createMicrosoft = (
  _context: SystemContext,
  _options: MicrosoftOptions = {},
): { readonly systems: ReadonlyArray<EmulatedSystem>; readonly control: MicrosoftControl } => ({
  systems: [],
  control: {},
})
