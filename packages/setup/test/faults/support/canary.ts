/**
 * Canary secrets: distinctive values for every secret sn365 is given, and a scanner that looks for
 * them — and for every secret sn365 generates — in anything a run produces, in every form a leak
 * could take (clear, URL-encoded, JSON-escaped, inside a Basic header).
 */
import { inspect } from "node:util"
import type { EmulatorOptions } from "@sn365/emulator"
import { stats } from "./stats.ts"

/** Secrets given to sn365. None is a real credential. */
export const CANARY = {
  servicenowPassword: "canary-SN-password-4b7e1c",
  entraClientSecret: "canary~entra.secret-9d02af",
} as const

/** The seeded tenant's identifiers, with the canary as the setup application's secret. */
export const CANARY_TENANT = {
  id: "9c7a4e2b-3650-4d1f-8a65-5e0c1f365365",
  domain: "contoso.onmicrosoft.com",
  setupAppId: "5e7f1a2c-0365-4b6d-9e11-5a5e1d365001",
} as const

/** An emulator whose setup identities use the canary secrets. */
export const canaryEmulator: EmulatorOptions = {
  servicenow: { adminPassword: CANARY.servicenowPassword },
  microsoft: {
    tenants: [
      {
        id: CANARY_TENANT.id,
        domains: [CANARY_TENANT.domain],
        displayName: "Contoso",
        apps: [
          {
            appId: CANARY_TENANT.setupAppId,
            displayName: "sn365 setup (canary)",
            secret: CANARY.entraClientSecret,
            appRoles: {
              "https://graph.microsoft.com": ["Application.ReadWrite.All"],
              "https://admin.microsoft.com": ["SupportIntegration.ReadWrite.All"],
            },
          },
        ],
        users: [{ userPrincipalName: `admin@${CANARY_TENANT.domain}`, roles: ["Global Administrator"] }],
      },
    ],
  },
}

/** The config overrides that sign in with the canaries. */
export const canaryConfig = {
  servicenow: {
    instance: "dev365",
    auth: { type: "basic", username: "admin", password: CANARY.servicenowPassword },
  },
  entra: {
    tenant: CANARY_TENANT.domain,
    auth: {
      type: "clientSecret",
      clientId: CANARY_TENANT.setupAppId,
      clientSecret: CANARY.entraClientSecret,
    },
  },
}

/** Every form in which a secret could show up in text. */
const formsOf = (secret: string): ReadonlyArray<string> => [
  ...new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString("base64"),
  ]),
]

/** A value rendered every way a program might print it. */
export const renderings = (value: unknown): ReadonlyArray<string> => {
  const out = [inspect(value, { depth: 12, showHidden: false }), String(value)]
  try {
    out.push(JSON.stringify(value) ?? "")
  } catch {
    // Circular: inspect covers it.
  }
  if (value instanceof Error) out.push(value.message, value.stack ?? "")
  const toJSON = (value as { toJSON?: () => unknown } | null)?.toJSON
  if (typeof toJSON === "function") out.push(JSON.stringify(toJSON.call(value)) ?? "")
  return out
}

/** A scanner over a growing list of secrets; counts what it scans and what it finds (unless a control). */
export const makeScanner = (initial: ReadonlyArray<string>, options: { readonly counted?: boolean } = {}) => {
  const count = options.counted ?? true
  const secrets = new Set(initial)
  const findings: Array<string> = []
  return {
    /** Adds secrets (generated ones, as they are learnt). */
    learn: (values: Iterable<string>) => {
      for (const value of values) if (value.length >= 8) secrets.add(value)
    },
    secrets: () => [...secrets],
    /** Scans one output; `where` names it in the findings. */
    scan: (where: string, value: unknown) => {
      const texts = typeof value === "string" ? [value] : renderings(value)
      if (count) stats.add("secretsScanned")
      for (const text of texts)
        for (const secret of secrets)
          for (const form of formsOf(secret))
            if (text.includes(form)) {
              findings.push(
                `${where}: ${secret.slice(0, 6)}… (as ${form === secret ? "clear text" : "an encoding"})`,
              )
              if (count) stats.add("leaks")
              return
            }
    },
    findings: () => findings,
  }
}
