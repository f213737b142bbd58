/**
 * Where the secrets a setup generates are kept: the Entra client secret, the inbound OAuth client's
 * secret and the integration user's password. They are returned once, so a later `verify` in another
 * process needs them from somewhere.
 *
 * With `SN365_SECRETS_FILE` set they go to that JSON file (mode 0600) — the same format as
 * `sn365 apply --secrets-file`, so the examples and the CLI can share it. Otherwise they stay in
 * this process's memory.
 */
import { fileSecretStore, memorySecretStore, type SecretStore } from "@sn365/setup"

/** The store the environment asks for. */
export const secretStore = (): SecretStore => {
  const path = process.env.SN365_SECRETS_FILE
  return path === undefined || path === "" ? memorySecretStore() : fileSecretStore(path)
}
