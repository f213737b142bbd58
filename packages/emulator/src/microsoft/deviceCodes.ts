/**
 * Device codes of the device-authorization flow (entra-graph-msal.md §4.3): issued by
 * `/devicecode`, approved or declined by a test through `MicrosoftControl`, polled at the token
 * endpoint. Expiry and `slow_down` follow the emulator clock.
 *
 * @module
 */
import type { Random } from "../server/random.ts"

/** One issued device code. */
export interface DeviceCodeState {
  readonly deviceCode: string
  readonly userCode: string
  readonly tenantId: string
  readonly clientId: string
  /** The requested scopes, as sent. */
  readonly scopes: ReadonlyArray<string>
  readonly issuedMs: number
  readonly expiresMs: number
  readonly intervalSeconds: number
  lastPollMs: number | undefined
  status:
    | { readonly kind: "pending" }
    | { readonly kind: "approved"; readonly userId: string }
    | { readonly kind: "declined"; readonly error: "authorization_declined" | "access_denied" }
  redeemed: boolean
}

const USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

/** @internal */
export const makeDeviceCodes = (random: Random) => {
  let byDeviceCode = new Map<string, DeviceCodeState>()
  return {
    issue: (
      init: Omit<DeviceCodeState, "deviceCode" | "userCode" | "lastPollMs" | "status" | "redeemed">,
    ) => {
      const state: DeviceCodeState = {
        ...init,
        deviceCode: `DAQABAAEAAAD${random.string(120)}`,
        userCode: random.string(9, USER_CODE_ALPHABET),
        lastPollMs: undefined,
        status: { kind: "pending" },
        redeemed: false,
      }
      byDeviceCode.set(state.deviceCode, state)
      return state
    },
    byDeviceCode: (deviceCode: string) => byDeviceCode.get(deviceCode),
    byUserCode: (userCode: string) => {
      for (const state of byDeviceCode.values()) if (state.userCode === userCode.toUpperCase()) return state
      return undefined
    },
    all: () => [...byDeviceCode.values()],
    clear: () => {
      byDeviceCode = new Map()
    },
  }
}

/** The device-code store. */
export type DeviceCodes = ReturnType<typeof makeDeviceCodes>
