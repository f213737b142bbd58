/**
 * Entra on its own: register an application (single tenant, a Web redirect URI), give it a client
 * secret and a service principal, and wait until the token service accepts the new secret —
 * Entra replicates writes for seconds, and sn365 waits that out for you.
 *
 *   npx -y pnpm@12.4.2 example examples/entra-create-app.ts [--delete]
 *
 * Idempotent: the app is found again by its uniqueName. With --delete it is removed at the end.
 */
import { makeApplications, makeCredential, promiseApi } from "@sn365/m365"
import { Redacted } from "effect"
import { connect } from "./support/target.ts"

const target = await connect()
try {
  // The app sn365 signs in with needs Graph Application.ReadWrite.All (or .OwnedBy: then it can
  // manage only the apps it created).
  const credential = makeCredential({
    tenant: target.tenant,
    auth: {
      type: "clientSecret",
      clientId: target.entraClientId,
      clientSecret: Redacted.make(target.entraClientSecret),
    },
    fetch: target.fetch,
  })
  // promiseApi turns the Effect-returning methods into Promise-returning ones.
  const apps = promiseApi(makeApplications({ credential, fetch: target.fetch }))

  // One PATCH with `Prefer: create-if-missing`: created the first time, updated afterwards.
  const { application, created } = await apps.upsert("sn365-example-app", {
    displayName: "sn365 example app",
    web: { redirectUris: ["https://dev12345.service-now.com/oauth_redirect.do"] },
    tags: ["sn365:example"],
  })
  console.log(`${created ? "Created" : "Found"} app ${application.displayName}: appId ${application.appId}`)

  // App-only tokens need a service principal, which a Graph-created app does not have (AADSTS7000229).
  const { servicePrincipal, created: spCreated } = await apps.ensureServicePrincipal(application.appId)
  console.log(`Service principal ${servicePrincipal.id}: ${spCreated ? "created" : "already there"}`)

  const secret = await apps.addPassword(application.id, {
    displayName: "sn365 example",
    endDateTime: new Date(Date.now() + 30 * 86_400_000),
  })
  // The secret's text is returned once, Redacted: it prints as "<redacted>" unless you reveal it.
  console.log(`Secret added: keyId ${secret.keyId}, value ${String(secret.secretText)}`)

  // A real token request with the new secret, repeated until Entra accepts it.
  await apps.confirmSecret({ tenant: target.tenant, appId: application.appId, secret: secret.secretText })
  console.log("The token service accepts the new secret.")

  if (process.argv.includes("--delete")) {
    await apps.deleteServicePrincipal(servicePrincipal.id)
    await apps.delete(application.id) // soft delete, with its secrets: restorable for 30 days
    console.log("Deleted the service principal and the app.")
  }
} catch (error) {
  console.error(`${(error as { _tag?: string })._tag ?? "Error"}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await target.close()
}
