/**
 * Entra credentials: access tokens for Microsoft Graph and the (modeled) admin-center API through
 * `@azure/msal-node` 7.2.3 — a client secret, a certificate, or an administrator signing in with a
 * device code — or from any token provider you bring.
 *
 * msal talks to the identity platform only through {@link msalNetworkClient} over your `fetch`, and
 * only to the token and device-code endpoints (the endpoint metadata is configured, so no
 * discovery request is made). Tokens are cached per scope, in front of msal's own cache, and
 * renewed five minutes before they expire; concurrent requests for one scope share one token
 * request.
 *
 * @module
 */
import { randomUUID } from "node:crypto"
import {
  type AccountInfo,
  type AuthenticationResult,
  ConfidentialClientApplication,
  type DeviceCodeRequest,
  type INetworkModule,
  InteractionRequiredAuthError,
  PublicClientApplication,
} from "@azure/msal-node"
import { type Fetch, type RetryEvent, RetryObserver, type Secret } from "@sn365/core"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import { AuthenticationFailed, isM365Error, type M365Error } from "./Errors.ts"
import { msalConfiguration } from "./internal/msalConfig.ts"
import { type FetchedToken, tokenCache } from "./internal/shared.ts"
import { noDevicePrompt, type TokenContext, tokenError } from "./internal/tokenErrors.ts"
import { makeTrackedNetworkClient } from "./MsalNetworkClient.ts"

/**
 * How sn365 signs in to Entra ID — the same shapes as the setup configuration's `entra.auth`.
 * `thumbprint` is the certificate's SHA-1 (40 hex digits) or SHA-256 (64) thumbprint; `privateKey`
 * its unencrypted PEM private key.
 */
export type EntraAuth =
  | {
      readonly type: "clientSecret"
      readonly clientId: string
      readonly clientSecret: Redacted.Redacted<string>
    }
  | {
      readonly type: "certificate"
      readonly clientId: string
      readonly thumbprint: string
      readonly privateKey: Redacted.Redacted<string>
    }
  | { readonly type: "deviceCode"; readonly clientId: string }

/** What a device-code sign-in asks the administrator to do. */
export interface DeviceCodePrompt {
  /** Microsoft's message: "To sign in, use a web browser to open … and enter the code …". */
  readonly message: string
  readonly userCode: string
  readonly verificationUri: string
}

/**
 * Something that hands out access tokens per scope (`https://graph.microsoft.com/.default`…).
 * Implement it to bring your own token source.
 *
 * @example
 * ```ts
 * const token: Redacted<string> = yield* credential.getToken("https://graph.microsoft.com/.default")
 * ```
 */
export interface TokenCredential {
  readonly getToken: (
    scope: string,
    options?: GetTokenOptions,
  ) => Effect.Effect<Redacted.Redacted<string>, M365Error>
}

/** Options of {@link TokenCredential.getToken}. */
export interface GetTokenOptions {
  /**
   * Ignore the cache and ask the token service: the resource refused the cached token (it expired
   * early, was revoked, or the clocks disagree). The clients ask for this once, after a 401.
   */
  readonly forceRefresh?: boolean | undefined
}

/** Options of {@link makeCredential}. */
export interface CredentialOptions {
  /** The tenant: its GUID or a verified domain such as `contoso.onmicrosoft.com`. */
  readonly tenant: string
  readonly auth: EntraAuth
  /** Every token request goes through it. Default: the global fetch. */
  readonly fetch?: Fetch | undefined
  /** Shows the device-code prompt to the administrator; required for `deviceCode` auth. */
  readonly onDeviceCode?: ((prompt: DeviceCodePrompt) => void) | undefined
  /** Per token request. Default 30 s. */
  readonly timeout?: Duration.Input | undefined
  /** How long to wait for the administrator to sign in. Default: until the code expires (15 min). */
  readonly deviceCodeTimeout?: Duration.Input | undefined
}

const durationMs = (input: Duration.Input): number => Duration.toMillis(Duration.fromInputUnsafe(input))

type Acquire = (
  scope: string,
  correlationId: string,
  signal: AbortSignal,
  forceRefresh: boolean,
) => Promise<AuthenticationResult | null>

const secretsOf = (auth: EntraAuth): ReadonlyArray<Secret> =>
  auth.type === "clientSecret" ? [auth.clientSecret] : auth.type === "certificate" ? [auth.privateKey] : []

const confidentialAcquire = (
  options: CredentialOptions,
  auth: Exclude<EntraAuth, { type: "deviceCode" }>,
  network: INetworkModule,
): Acquire => {
  let app: ConfidentialClientApplication | undefined
  return (scope, correlationId, _signal, forceRefresh) => {
    if (app === undefined) {
      const base = msalConfiguration(options.tenant, auth.clientId, network)
      const credential =
        auth.type === "clientSecret"
          ? { clientSecret: Redacted.value(auth.clientSecret) }
          : {
              clientCertificate:
                auth.thumbprint.length === 64
                  ? { thumbprintSha256: auth.thumbprint, privateKey: Redacted.value(auth.privateKey) }
                  : { thumbprint: auth.thumbprint, privateKey: Redacted.value(auth.privateKey) },
            }
      app = new ConfidentialClientApplication({ ...base, auth: { ...base.auth, ...credential } })
    }
    return app.acquireTokenByClientCredential({ scopes: [scope], correlationId, skipCache: forceRefresh })
  }
}

// One administrator signs in once: later scopes are redeemed silently with the refresh token, and
// concurrent first requests wait for the one sign-in instead of showing several codes.
const deviceCodeAcquire = (
  options: CredentialOptions,
  clientId: string,
  prompt: (prompt: DeviceCodePrompt) => void,
  network: INetworkModule,
): Acquire => {
  const app = new PublicClientApplication(msalConfiguration(options.tenant, clientId, network))
  let account: AccountInfo | undefined
  let signingIn: Promise<unknown> | undefined
  const timeoutSeconds =
    options.deviceCodeTimeout === undefined
      ? undefined
      : Math.ceil(durationMs(options.deviceCodeTimeout) / 1000)

  const signIn = async (scope: string, correlationId: string, signal: AbortSignal) => {
    const request: DeviceCodeRequest = {
      scopes: [scope],
      correlationId,
      deviceCodeCallback: (r) =>
        prompt({ message: r.message, userCode: r.userCode, verificationUri: r.verificationUri }),
      ...(timeoutSeconds === undefined ? {} : { timeout: timeoutSeconds }),
    }
    // msal checks `cancel` before every poll.
    const cancel = () => {
      request.cancel = true
    }
    signal.addEventListener("abort", cancel, { once: true })
    try {
      const result = await app.acquireTokenByDeviceCode(request)
      account = result?.account ?? account
      return result
    } finally {
      signal.removeEventListener("abort", cancel)
    }
  }

  return async (scope, correlationId, signal, forceRefresh) => {
    if (signingIn !== undefined) await signingIn.catch(() => undefined)
    if (account !== undefined) {
      try {
        const silent = await app.acquireTokenSilent({ account, scopes: [scope], correlationId, forceRefresh })
        if (silent !== null) return silent
      } catch (error) {
        if (!(error instanceof InteractionRequiredAuthError)) throw error
      }
    }
    const flight = signIn(scope, correlationId, signal)
    signingIn = flight
    try {
      return await flight
    } finally {
      if (signingIn === flight) signingIn = undefined
    }
  }
}

/**
 * A {@link TokenCredential} backed by msal-node: client credentials with a secret or a certificate,
 * or an administrator's device-code sign-in (delegated). Nothing is requested until `getToken`.
 *
 * @example
 * ```ts
 * const credential = makeCredential({
 *   tenant: "contoso.onmicrosoft.com",
 *   auth: { type: "deviceCode", clientId: "14d82eec-204b-4c2f-b7e8-296a70dab67e" },
 *   onDeviceCode: (p) => console.error(p.message),
 * })
 * const token = await Effect.runPromise(credential.getToken("https://graph.microsoft.com/.default"))
 * ```
 */
export const makeCredential = (options: CredentialOptions): TokenCredential => {
  const { auth, tenant } = options
  const tracked = makeTrackedNetworkClient(options.fetch, { timeout: options.timeout })
  const context: TokenContext = {
    tenant,
    clientId: auth.clientId,
    credentialType: auth.type,
    secrets: secretsOf(auth),
  }
  const prompt = options.onDeviceCode
  const acquire: Acquire | undefined =
    auth.type !== "deviceCode"
      ? confidentialAcquire(options, auth, tracked.network)
      : prompt === undefined
        ? undefined
        : deviceCodeAcquire(options, auth.clientId, prompt, tracked.network)
  // msal caches tokens too, but asking it costs a chain of awaits and a cache walk on every Graph
  // call; a token that is good for a while yet is handed out from here at once (bench figure 1).
  const tokens = tokenCache()

  const request = async (
    run: Acquire,
    scope: string,
    observer: (event: RetryEvent) => Effect.Effect<void>,
    signal: AbortSignal,
    forceRefresh: boolean,
  ): Promise<FetchedToken> => {
    const correlationId = randomUUID()
    const record = tracked.track(correlationId, { observer, signal, secrets: context.secrets })
    try {
      const result = await run(scope, correlationId, signal, forceRefresh)
      if (result === null || typeof result.accessToken !== "string" || result.accessToken === "") {
        throw new AuthenticationFailed({
          tenant,
          clientId: auth.clientId,
          remedy: "msal returned no access token; check the scope and the credential.",
        })
      }
      return { token: Redacted.make(result.accessToken), expiresAtMs: result.expiresOn?.getTime() }
    } catch (cause) {
      throw isM365Error(cause) ? cause : tokenError(cause, record.lastError(), record.requests(), context)
    } finally {
      record.end()
    }
  }

  return {
    getToken: (scope, getOptions) =>
      Effect.gen(function* () {
        const force = getOptions?.forceRefresh === true
        const held = tokens.held(scope, force)
        if (held !== undefined) return held
        if (acquire === undefined) return yield* noDevicePrompt(context)
        const observer = yield* RetryObserver
        return yield* Effect.tryPromise({
          try: (signal) =>
            tokens.request(scope, force, signal, (shared) =>
              request(acquire, scope, observer, shared, force),
            ),
          // `request` only throws m365 errors; anything else is the credential's own bug.
          catch: (cause) => (isM365Error(cause) ? cause : tokenError(cause, undefined, 0, context)),
        })
      }),
  }
}

/**
 * An Azure-style token source: `@azure/identity` credentials (`DefaultAzureCredential`,
 * `AzureCliCredential`…) have this shape, so they can be passed as they are.
 */
export interface AccessTokenProvider {
  readonly getToken: (
    scopes: string | Array<string>,
    options?: { readonly abortSignal?: AbortSignal },
  ) => Promise<{ readonly token: string; readonly expiresOnTimestamp: number } | null>
}

/**
 * A {@link TokenCredential} over a token source you bring, with the same per-scope cache (renewed
 * five minutes before expiry) and sharing of concurrent requests as {@link makeCredential}. Its
 * failures become `AuthenticationFailed` (an m365 error passes through unchanged).
 *
 * @example
 * ```ts
 * import { AzureCliCredential } from "@azure/identity"
 * const credential = tokenCredentialFrom(new AzureCliCredential())
 * ```
 */
export const tokenCredentialFrom = (provider: AccessTokenProvider): TokenCredential => {
  const tokens = tokenCache()
  const fetchToken = async (scope: string, signal: AbortSignal): Promise<FetchedToken> => {
    const result = await provider.getToken([scope], { abortSignal: signal })
    if (result === null || result.token === "") {
      throw new AuthenticationFailed({ remedy: `The token provider returned no token for ${scope}.` })
    }
    return { token: Redacted.make(result.token), expiresAtMs: result.expiresOnTimestamp }
  }
  return {
    getToken: (scope, getOptions) =>
      Effect.suspend(() => {
        const force = getOptions?.forceRefresh === true
        const held = tokens.held(scope, force)
        if (held !== undefined) return Effect.succeed(held)
        return Effect.tryPromise({
          try: (signal) => tokens.request(scope, force, signal, (shared) => fetchToken(scope, shared)),
          catch: (cause) =>
            isM365Error(cause)
              ? cause
              : new AuthenticationFailed({
                  vendorCode: cause instanceof Error ? cause.name : undefined,
                  remedy: "The token provider failed; check its own configuration and sign-in.",
                }),
        })
      }),
  }
}

/**
 * The credential as an Effect service, for programs that take their dependencies from the
 * context.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(M365Credential.layer({ tenant, auth })))
 * ```
 */
export class M365Credential extends Context.Service<M365Credential, TokenCredential>()(
  "@sn365/m365/Credential",
) {
  /** A layer with {@link makeCredential}. */
  static readonly layer = (options: CredentialOptions): Layer.Layer<M365Credential> =>
    Layer.succeed(M365Credential, makeCredential(options))
}
