/**
 * The critical path of a first-time Basic setup: the fewest sequential round trips the
 * procedure's data dependencies allow (docs: integration-procedure.md §4.1 steps and ordering,
 * §4.2 data flow). It is a property of the procedure, not of sn365: any correct implementation
 * needs at least this many round trips one after another, however much it runs in parallel.
 *
 * Two rules besides the data flow, both forced by idempotency:
 *
 * - A resource is read by its natural key before it is written. ServiceNow has no upsert, so a
 *   blind POST duplicates on the second run; Graph's upsert would silently take over an
 *   application of the same uniqueName that someone else made, and which secrets an existing app
 *   holds decides whether a new one is needed. So every write follows a read of its key.
 * - A read needs its credentials: Graph and the admin center need an Entra access token first;
 *   ServiceNow with Basic auth needs none.
 *
 * The longest chain is P1 → P5 → W4 → W10. Each hop below is one round trip, and names what it
 * needs from the hop before it.
 *
 * @module
 */

/** One round trip of the critical path. */
export interface Hop {
  /** The request(s) on the critical path in this hop. */
  readonly request: string
  /** What this hop needs from the previous one (the data edge that makes it wait). */
  readonly needs: string
}

/** The critical path of a first-time Basic setup (everything is created). */
export const CRITICAL_PATH: ReadonlyArray<Hop> = [
  // Hop 1: needs only the configuration. The Graph access token (client credentials at
  // login.microsoftonline.com); in parallel the admin center's token and every ServiceNow read by
  // natural key (Basic auth: no token; records that hang off others — the provider's profile, the
  // users' role grants — are found by dot-walked queries on the parent's key, so they need no id).
  { request: "Entra access token for Graph", needs: "the configuration" },
  // Hop 2: needs the Graph token (hop 1). Read the app registration by its uniqueName: absent,
  // ours (tagged) or someone else's, and which secrets it holds. In parallel: the admin center's
  // Basic information and repositories (needs the admin token from hop 1).
  { request: "Graph GET /applications(uniqueName=…)", needs: "the Graph token (hop 1)" },
  // Hop 3: needs the app's observed state (hop 2). P1–P2: create it (Graph upsert by uniqueName,
  // Web redirect URI in the same request) → OUT_APP_ID and the object id. In parallel, the
  // ServiceNow records that need nothing from Entra: P6 inbound endpoint (→ IN_CLIENT_ID), P7 user
  // with its password in one POST, R1 role grants.
  { request: "Graph PATCH /applications(uniqueName=…) (P1, P2)", needs: "the app's observed state (hop 2)" },
  // Hop 4: needs OUT_APP_ID (hop 3). P5: the outbound provider, whose Client ID is OUT_APP_ID;
  // creating it gives the OAuth profile W4 selects (looked up in the same round trip). In parallel,
  // also needing hop 3: P3 addPassword (object id → OUT_SECRET), the service principal (appId),
  // M1 Basic information (OUT_APP_ID), P6's secret and P7's role (their sys_ids).
  { request: "ServiceNow POST oauth_entity (P5) + its profile", needs: "OUT_APP_ID (hop 3)" },
  // Hop 5: needs P5's profile (hop 4). W3–W8: the wizard values (W4 names the profile; W5 the P6
  // record, W6 the P7 user — both older). In parallel: M2 repository (needs IN_CLIENT_SECRET held
  // by P6, hop 4), and P5's client secret (needs OUT_SECRET, hop 4; sn365 first confirms it with a
  // token request, and that also fits: confirm at hop 5, write at hop 6).
  { request: "ServiceNow write of the wizard values (W3–W8)", needs: "P5's profile (hop 4)" },
  // Hop 6: needs W3–W8 (hop 5) and M2 saved (hop 5): W10 completes the integration, only after
  // the repository is saved (procedure §4.1: "W10 only after M2 is saved").
  { request: "ServiceNow complete the integration (W10)", needs: "the wizard values and M2 (hop 5)" },
]

/**
 * A run that finds everything in place: hop 1 (tokens, ServiceNow reads), hop 2 (the app and the
 * admin center's state, with the tokens), hop 3 (the app's service principal: Graph finds it by the
 * app's appId, which hop 2 returned). Nothing to write.
 */
export const NO_CHANGE_PATH_HOPS = 3
