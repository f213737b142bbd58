/**
 * What belongs to this setup. sn365 changes and removes only what it manages: records carrying its
 * marker, the app carrying its tag, and the singletons it shares with whoever else configured the
 * integration — the app's wizard, Basic information, a repository — only while they hold this
 * setup's values. Teardown asks these before touching anything; look-alikes (a setup done by hand
 * under the same names, another prefix's integration) are left as they are.
 *
 * @module
 */
import type { Application } from "@sn365/m365"
import { isMarked, MANAGED_TAG } from "../Names.ts"
import type { Observed } from "./observe.ts"
import type { BasicStep } from "./steps.ts"

type Env = Parameters<BasicStep["plan"]>[1]

/** The observed app, when sn365 manages it (it carries the `sn365:managed` tag). */
export const managedApp = (observed: Observed): Application | undefined =>
  (observed.app?.tags ?? []).includes(MANAGED_TAG) ? observed.app : undefined

/** Basic information names this setup's (managed) app. */
export const basicInformationIsOurs = (observed: Observed): boolean => {
  const app = managedApp(observed)
  return app !== undefined && observed.basicInformation?.applicationId === app.appId
}

/**
 * The repository holds this setup's values: the client id of its (marked) inbound endpoint — or,
 * when that endpoint is gone, the user name of its (marked, or gone too) integration user. The
 * repository id alone says nothing: by default it is the instance's name, which every prefix on
 * the instance shares, and a repository entered by hand uses it too.
 */
export const repositoryIsOurs = (observed: Observed, env: Env): boolean => {
  const repo = observed.repository
  if (repo === undefined) return false
  const inbound = observed.inboundClient
  if (inbound !== undefined && isMarked(inbound.comments, env.names))
    return repo.clientId === inbound.client_id
  return (
    repo.restUsername === env.names.integrationUser &&
    (observed.user === undefined || isMarked(observed.user.title, env.names))
  )
}

/** Whom a wizard value that names a record points at. */
type Naming = "nothing" | "this setup" | "something else"

/**
 * Whom each of the wizard's record-naming values (W4–W6) points at: this setup's own (marked)
 * profile, inbound endpoint and integration user, or something else — a setup done by hand, or
 * another prefix's integration that took the wizard over.
 */
const wizardNames = (observed: Observed, env: Env): ReadonlyArray<Naming> => {
  const { names } = env
  const naming = (value: string | undefined, own: string | undefined): Naming =>
    value === undefined || value === "" ? "nothing" : value === own ? "this setup" : "something else"
  const provider = isMarked(observed.outboundProvider?.comments, names)
  const inbound = isMarked(observed.inboundClient?.comments, names)
  // A user of this name that is gone (removed by someone, or by an earlier teardown) still counts.
  const user = observed.user === undefined || isMarked(observed.user.title, names)
  return [
    naming(
      observed.wizard.outboundOAuthProfile?.value,
      provider ? observed.outboundProfile?.sys_id : undefined,
    ),
    naming(observed.wizard.inboundOAuthClient?.value, inbound ? observed.inboundClient?.sys_id : undefined),
    naming(observed.wizard.integrationUser?.value, user ? names.integrationUser : undefined),
  ]
}

/**
 * The app's wizard holds this setup's values: it names one of this setup's records, or no record
 * at all (values of a run that stopped before writing those). A wizard that names only someone
 * else's records is theirs.
 */
export const wizardIsOurs = (observed: Observed, env: Env): boolean => {
  const naming = wizardNames(observed, env)
  return naming.includes("this setup") || naming.every((n) => n === "nothing")
}

/** The wizard's integration user (W6) is this setup's. */
export const wizardNamesOurUser = (observed: Observed, env: Env): boolean =>
  wizardNames(observed, env)[2] === "this setup"

/** The wizard names this setup's repository (W7) and is this setup's. */
export const wizardNamesOurRepository = (observed: Observed, env: Env): boolean =>
  observed.wizard.repositoryId?.value === env.names.repositoryId && wizardIsOurs(observed, env)
