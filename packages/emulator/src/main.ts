/**
 * Standalone start of the emulator: `pnpm emulator [--port 4365] [--host 127.0.0.1] [--seed 365]
 * [--latency 0] [--instance dev12345]… [--basic-auth-gate on|off] [--admin-basic-auth]`. Prints the
 * URL, the routes, the seeded credentials and how to point a client at it; runs until Ctrl-C.
 *
 * @module
 */
import { parseArgs } from "node:util"
import { startEmulator } from "./Emulator.ts"
import { ITIL_USER } from "./servicenow/seed.ts"

/** Port used when `--port` is not given. */
export const DEFAULT_PORT = 4365

const { values } = parseArgs({
  // `pnpm emulator -- --port 1` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    port: { type: "string", default: String(DEFAULT_PORT) },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string", default: "365" },
    latency: { type: "string", default: "0" },
    instance: { type: "string", multiple: true, default: ["dev365"] },
    "basic-auth-gate": { type: "string", default: "on" },
    "admin-basic-auth": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
})

if (values.help) {
  process.stdout.write(
    "pnpm emulator [--port 4365] [--host 127.0.0.1] [--seed 365] [--latency ms] [--instance dev365]… " +
      "[--basic-auth-gate on|off] [--admin-basic-auth]\n",
  )
  process.exit(0)
}

const emulator = await startEmulator({
  host: values.host,
  port: Number(values.port),
  seed: Number(values.seed),
  latencyMs: Number(values.latency),
  servicenow: {
    instances: values.instance,
    basicAuthGate: values["basic-auth-gate"] !== "off",
    adminBasicAuthApiAccess: values["admin-basic-auth"],
  },
})

const instance = values.instance[0] ?? "dev365"
const gateOn = values["basic-auth-gate"] !== "off"
const gateNote = !gateOn
  ? "off"
  : values["admin-basic-auth"]
    ? "on (admin holds snc_basic_auth_api_access)"
    : "on — Basic calls as admin get 401 until admin holds snc_basic_auth_api_access (--admin-basic-auth)"
const ms = emulator.microsoft.defaults
const lines = [
  `sn365 emulator listening on ${emulator.url}`,
  "",
  "Routes (real host → this origin; send the real host in X-Forwarded-Host):",
  ...Object.keys(emulator.routes).map((pattern) => `  ${pattern}`),
  "",
  `ServiceNow (any <name>.service-now.com is created on first use; seeded: ${values.instance.join(", ")})`,
  "  admin / admin                     roles: admin",
  `  ${ITIL_USER.userName} / ${ITIL_USER.password}                       roles: itil`,
  `  Basic-auth gate: ${gateNote}`,
  "  App x_mioms_m365_assis 2.1.0 installed; modeled setup API at /api/x_mioms_m365_assis/v1/setup",
  "",
  `Microsoft (tenant ${ms.tenantId}, ${ms.tenantDomain})`,
  `  setup app ${ms.adminApp.appId} / ${ms.adminApp.secret}`,
  `  users ${ms.adminUser}, ${ms.user}`,
  "",
  "Point a client at it:",
  `  sn365 --emulator ${emulator.url} …`,
  `  routingFetch(${JSON.stringify(emulator.routes)}) from @sn365/core`,
  `  curl -u admin:admin -H 'X-Forwarded-Host: ${instance}.service-now.com' '${emulator.url}/api/now/v2/table/sys_user?sysparm_limit=1'`,
  "",
  "Ctrl-C stops it.",
  "",
]
process.stdout.write(lines.join("\n"))

const stop = () => {
  emulator.close().then(() => process.exit(0))
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
