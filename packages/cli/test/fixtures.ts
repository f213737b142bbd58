/**
 * Synthetic setup results and events, shaped exactly as `@sn365/setup` declares them, for testing
 * the CLI's rendering before (and independently of) the setup's implementation.
 */
import type {
  ApplyResult,
  DiscoveryReport,
  NetworkReport,
  Plan,
  SetupEvent,
  TeardownReport,
  VerifyReport,
} from "@sn365/setup"
import { Redacted } from "effect"

/** A secret the setup "generated"; it must never be printed. */
export const GENERATED_SECRET = "generated-canary-secret-4b9f"

export const plan: Plan = {
  variant: "basic",
  instance: "https://dev12345.service-now.com",
  tenant: "contoso.onmicrosoft.com",
  changes: [
    {
      step: "entra.app",
      title: "Entra app registration",
      owner: "entra",
      key: "sn365-servicenow-outbound",
      action: "create",
      changes: [
        { field: "displayName", to: "sn365 ServiceNow outbound" },
        { field: "signInAudience", to: "AzureADMyOrg" },
      ],
    },
    {
      step: "entra.secret",
      title: "Entra client secret",
      owner: "entra",
      key: "sn365-servicenow-outbound",
      action: "create",
      changes: [{ field: "secretText", secret: true }],
    },
    {
      step: "servicenow.provider",
      title: "Outbound OAuth provider",
      owner: "servicenow",
      key: "sn365 Microsoft 365 outbound",
      action: "update",
      changes: [
        {
          field: "token_url",
          from: "https://login.microsoftonline.com/old/oauth2/token",
          to: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token",
        },
        { field: "client_secret", secret: true },
      ],
    },
    {
      step: "servicenow.user",
      title: "Integration user",
      owner: "servicenow",
      key: "sn365_m365_integration",
      action: "keep",
      changes: [],
    },
    {
      step: "servicenow.crossScope",
      title: "Cross-scope access",
      owner: "servicenow",
      key: "oauth_entity",
      action: "blocked",
      changes: [],
      reason: "reads refused; re-run with --fix-cross-scope",
    },
    {
      step: "m365.repository",
      title: "Admin-center repository",
      owner: "microsoft365",
      key: "dev12345",
      action: "create",
      changes: [
        { field: "Endpoint", to: "https://dev12345.service-now.com/api/x_mioms_m365_assis/v1" },
        { field: "Client secret", secret: true },
      ],
    },
  ],
  warnings: ["The integration's service was retired on 2025-05-30; the admin-center API is modeled."],
}

export const keptPlan: Plan = {
  ...plan,
  changes: plan.changes.map((change) => ({ ...change, action: "keep", changes: [] })),
  warnings: [],
}

export const network: NetworkReport = {
  serviceIps: ["52.149.152.32", "40.83.232.243"],
  connectorHost: "connector.rave.microsoft.com",
  lookup: { error: "ENOTFOUND" },
}

export const applyResult: ApplyResult = {
  plan,
  steps: [
    {
      step: "entra.app",
      title: "Entra app registration",
      owner: "entra",
      status: "succeeded",
      outcome: "created",
      detail: "appId 0f0e0d0c-0000-4000-8000-000000000001",
      durationMs: 1234,
    },
    {
      step: "entra.secret",
      title: "Entra client secret",
      owner: "entra",
      status: "succeeded",
      outcome: "created",
      durationMs: 456,
    },
    {
      step: "servicenow.provider",
      title: "Outbound OAuth provider",
      owner: "servicenow",
      status: "succeeded",
      outcome: "updated",
      durationMs: 789,
    },
    {
      step: "servicenow.user",
      title: "Integration user",
      owner: "servicenow",
      status: "succeeded",
      outcome: "kept",
      durationMs: 12,
    },
    {
      step: "servicenow.roles",
      title: "Role grants",
      owner: "servicenow",
      status: "skipped",
      reason: "no users to grant",
      durationMs: 0,
    },
  ],
  outputs: {
    entraAppId: "0f0e0d0c-0000-4000-8000-000000000001",
    servicePrincipalId: "0f0e0d0c-0000-4000-8000-000000000002",
    inboundClientId: "a1b2c3d4e5f6",
    integrationUserName: "sn365_m365_integration",
    repositoryId: "dev12345",
    endpoint: "https://dev12345.service-now.com/api/x_mioms_m365_assis/v1",
  },
  secrets: {
    entraClientSecret: Redacted.make(GENERATED_SECRET),
    integrationUserPassword: Redacted.make(GENERATED_SECRET),
  },
  network,
  durationMs: 2500,
}

export const keptApplyResult: ApplyResult = {
  ...applyResult,
  plan: keptPlan,
  steps: applyResult.steps.map((step) =>
    step.status === "succeeded" ? { ...step, outcome: "kept", durationMs: 5 } : step,
  ),
  secrets: {},
}

export const verifyPass: VerifyReport = {
  ok: true,
  checks: [
    { id: "outbound-token", title: "Token for the outbound app (client credentials)", status: "pass" },
    { id: "inbound-token", title: "Token at /oauth_token.do (password grant)", status: "pass" },
    { id: "roles", title: "Integration user has incident_manager", status: "pass" },
    { id: "sso", title: "SSO with Microsoft 365", status: "skipped", message: "not configured" },
  ],
}

export const verifyFail: VerifyReport = {
  ok: false,
  checks: [
    { id: "outbound-token", title: "Token for the outbound app (client credentials)", status: "pass" },
    {
      id: "cross-scope",
      title: "The app can read oauth_entity",
      status: "fail",
      message: "Read operation against 'oauth_entity' from scope 'x_mioms_m365_assis' has been refused",
      remedy: "re-run apply with --fix-cross-scope",
    },
  ],
}

export const teardownReport: TeardownReport = {
  steps: [
    {
      step: "entra.app",
      title: "Entra app registration",
      owner: "entra",
      status: "succeeded",
      outcome: "deleted",
      durationMs: 300,
    },
  ],
  removed: [{ title: "Entra app registration", key: "sn365-servicenow-outbound" }],
  absent: [{ title: "Integration user", key: "sn365_m365_integration" }],
}

export const discoveryReport: DiscoveryReport = {
  app: {
    scope: "x_mioms_m365_assis",
    name: "Microsoft 365 support integration",
    version: "2.1.0",
    generation: "C",
  },
  tables: [{ name: "x_mioms_m365_assis_configuration", label: "Configuration" }],
  properties: [
    { name: "x_mioms_m365_assis.repository_id", type: "string", value: "dev12345" },
    { name: "x_mioms_m365_assis.client_secret", type: "password2", value: GENERATED_SECRET },
  ],
}

/** A run's events: phases, a retry, a skip and a failure. */
export const events: ReadonlyArray<SetupEvent> = [
  { _tag: "PhaseStarted", phase: "apply" },
  { _tag: "StepStarted", step: "entra.app", title: "Entra app registration", owner: "entra" },
  { _tag: "StepStarted", step: "servicenow.provider", title: "Outbound OAuth provider", owner: "servicenow" },
  {
    _tag: "StepSucceeded",
    step: "entra.app",
    title: "Entra app registration",
    owner: "entra",
    outcome: "created",
    detail: "appId 0f0e0d0c",
    durationMs: 1234,
  },
  {
    _tag: "StepRetrying",
    step: "servicenow.provider",
    title: "Outbound OAuth provider",
    attempt: 2,
    delayMs: 1000,
    reason: "429 Too Many Requests",
  },
  { _tag: "StepSkipped", step: "servicenow.roles", title: "Role grants", reason: "no users to grant" },
  { _tag: "Warning", message: "Tenant policy caps secret lifetime at 90 days" },
  {
    _tag: "StepFailed",
    step: "servicenow.provider",
    title: "Outbound OAuth provider",
    error: {
      tag: "Forbidden",
      message: "ACL Exception Insert Failed due to security constraints",
      remedy: "use an admin",
    },
    durationMs: 2500,
  },
]
