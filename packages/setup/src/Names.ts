/**
 * The natural keys and desired values derived from a configuration. sn365 finds every object it
 * manages by these keys — never by a remembered id alone — so losing local state cannot create
 * duplicates, and it marks each object so it never touches one it did not create.
 *
 * @module
 */
import { instanceName, instanceOrigin, type SetupConfig } from "./Config.ts"
import { entraV1TokenUrl, OAUTH_REDIRECT_PATH } from "./vendor.ts"

/** Everything a Basic setup names or points at. */
export interface Names {
  readonly prefix: string
  readonly instance: string
  readonly instanceOrigin: string
  readonly tenant: string
  /** `https://{inst}.service-now.com/oauth_redirect.do` (procedure §11 D1). */
  readonly redirectUrl: string
  /** `https://login.microsoftonline.com/{tenant}/oauth2/token` (P5). */
  readonly tokenUrl: string
  /** Graph `uniqueName` of the outbound app: the key sn365 upserts it by. */
  readonly appUniqueName: string
  readonly appDisplayName: string
  /** Tags on the app; the first marks it as managed by sn365. */
  readonly appTags: ReadonlyArray<string>
  /** `displayName` of the client secrets sn365 adds; how it recognises its own secrets. */
  readonly secretDisplayName: string
  /** `oauth_entity.name` of the third-party provider (P5). */
  readonly outboundProviderName: string
  /** `oauth_entity_profile.name` of its default profile. */
  readonly outboundProfileName: string
  /** `oauth_entity.name` of the inbound OAuth API endpoint (P6). */
  readonly inboundClientName: string
  /** `sys_user.user_name` of the integration user (P7). */
  readonly integrationUser: string
  readonly repositoryId: string
  /** Written to `comments`/`title` of ServiceNow records sn365 creates. */
  readonly marker: string
}

/** Tag that marks a Graph application as created and managed by sn365. */
export const MANAGED_TAG = "sn365:managed"

/** Derives every natural key of a Basic setup from its configuration. */
export const namesOf = (config: SetupConfig): Names => {
  const prefix = config.integration.prefix
  const instance = instanceName(config)
  const origin = instanceOrigin(config)
  return {
    prefix,
    instance,
    instanceOrigin: origin,
    tenant: config.entra.tenant,
    redirectUrl: `${origin}${OAUTH_REDIRECT_PATH}`,
    tokenUrl: entraV1TokenUrl(config.entra.tenant),
    appUniqueName: `${prefix}-m365-support-${instance}`,
    appDisplayName: `Microsoft 365 support integration – ${instance} (outbound, ${prefix})`,
    appTags: [MANAGED_TAG, `sn365:prefix:${prefix}`, `sn365:instance:${instance}`],
    secretDisplayName: `${prefix} ServiceNow outbound provider`,
    outboundProviderName: `${prefix} Microsoft 365 support outbound`,
    outboundProfileName: `${prefix} Microsoft 365 support outbound default`,
    inboundClientName: `${prefix} Microsoft 365 support inbound`,
    integrationUser: config.integration.integrationUser ?? `${prefix}_m365_integration`,
    repositoryId: config.integration.repositoryId ?? instance,
    marker: `Managed by sn365 (prefix ${prefix})`,
  }
}

/** Whether a ServiceNow `comments`/`title` value carries this setup's marker. */
export const isMarked = (value: string | undefined, names: Names): boolean =>
  value?.includes(names.marker) === true

/** The Entra secret keyId recorded on the outbound provider's `comments`, if any. */
export const recordedKeyId = (comments: string | undefined): string | undefined =>
  comments?.match(/entra-secret-key-id=([0-9a-f-]{36})/i)?.[1]?.toLowerCase()

/** The `comments` value of the outbound provider: the marker plus the keyId of the secret it holds. */
export const providerComments = (names: Names, keyId: string | undefined): string =>
  keyId === undefined ? names.marker : `${names.marker}; entra-secret-key-id=${keyId}`

/**
 * Added to the inbound endpoint's `comments` from the moment sn365 rotates the secrets the
 * admin-center repository holds (the inbound client secret, the integration user's password) until
 * the repository has them. Those secrets exist nowhere else once a run dies, so this mark is what
 * tells the next run that the repository is stale although it looks complete.
 */
export const DELIVERY_PENDING = "sn365: repository update pending"

/** The inbound endpoint's `comments`: the marker, and whether rotated secrets still await delivery. */
export const inboundComments = (names: Names, pending: boolean): string =>
  pending ? `${names.marker}; ${DELIVERY_PENDING}` : names.marker

/**
 * Added to the inbound endpoint's `comments` by a manual-mode teardown once the administrator
 * confirmed deleting the repository (before asking, it sets {@link DELIVERY_PENDING}: from then on
 * the repository may lack the endpoint's secret). The form cannot be read back, so this mark is how
 * a resumed teardown knows not to ask again, and how an apply knows the repository must be entered
 * again. It lives as long as the inbound endpoint, which teardown removes later.
 */
export const REPOSITORY_REMOVED = "sn365: repository removed"

/** The inbound endpoint's `comments` once the administrator deleted the repository (manual teardown). */
export const repositoryRemovedComments = (names: Names): string => `${names.marker}; ${REPOSITORY_REMOVED}`

/** Whether a manual-mode teardown had the administrator delete the repository. */
export const isRepositoryRemoved = (comments: string | undefined): boolean =>
  comments?.includes(REPOSITORY_REMOVED) === true

/**
 * Whether the repository lacks the inbound endpoint's and the user's current secrets: a run rotated
 * them and stopped before the repository received them, or a teardown had the repository deleted.
 */
export const isDeliveryPending = (comments: string | undefined): boolean =>
  comments?.includes(DELIVERY_PENDING) === true || isRepositoryRemoved(comments)

/**
 * Tags a manual-mode teardown puts on the app around asking the administrator to empty Basic
 * information (which names the app): `emptying` before asking — from then on sn365 cannot know
 * whether the form still names the app — and `emptied` once they confirmed. They live as long as
 * the app, which teardown removes last. A resumed teardown does not ask again after `emptied`; an
 * apply asks for Basic information again after either, and drops them.
 */
export const BASIC_INFORMATION_EMPTYING_TAG = "sn365:basic-information:emptying"

/** See {@link BASIC_INFORMATION_EMPTYING_TAG}: the administrator confirmed emptying Basic information. */
export const BASIC_INFORMATION_EMPTIED_TAG = "sn365:basic-information:emptied"
