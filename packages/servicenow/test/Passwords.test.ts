import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect, Redacted } from "effect"
import type { PasswordGrant } from "../src/Token.ts"
import { clientOf, freshInstance, inboundClient, start } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

const PASSWORD = "Integr@tion^2026,ok"

describe("passwords and encrypted fields", () => {
  it.live("a user_password written by create() works for a password grant; written raw it does not", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const inbound = inboundClient(emulator, instance)
      const client = clientOf(emulator, instance)
      const users = client.table("sys_user")
      const grant = (username: string): PasswordGrant => ({
        grant: "password",
        clientId: inbound.clientId,
        clientSecret: Redacted.make(inbound.secret),
        username,
        password: Redacted.make(PASSWORD),
      })

      const good = yield* users.create(
        {
          user_name: "m365_integration",
          web_service_access_only: "true",
          user_password: Redacted.make(PASSWORD),
        },
        { fields: ["sys_id", "user_name"] },
      )
      assert.strictEqual(good.user_name, "m365_integration")
      assert.isTrue(emulator.servicenow.passwordMatches(instance, "m365_integration", PASSWORD))
      const token = yield* client.token(grant("m365_integration"))
      assert.isTrue(Redacted.value(token.accessToken).length > 0)

      // The naive way: the field written as a stored value, as a plain POST would.
      yield* users.create({ user_name: "naive", user_password: PASSWORD }, { inputDisplayValue: false })
      assert.isFalse(emulator.servicenow.passwordMatches(instance, "naive", PASSWORD))
      const refused = yield* Effect.flip(client.token(grant("naive")))
      assert.strictEqual(refused._tag, "Unauthorized")

      // The password went in its own PATCH with sysparm_input_display_value=true; the POST did not carry it.
      const writes = emulator.requests
        .all()
        .filter(
          (r) => r.host === `${instance}.service-now.com` && r.path.startsWith("/api/now/v2/table/sys_user"),
        )
        .map((r) => `${r.method} ${r.path.includes("sysparm_input_display_value=true") ? "idv" : ""}`.trim())
      assert.deepStrictEqual(writes.slice(0, 2), ["POST", "PATCH idv"])
    }),
  )

  it.live("update() and replace() write passwords and client secrets correctly too", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const client = clientOf(emulator, instance)
      const [itil] = emulator.servicenow.find(instance, "sys_user", "user_name=itil")
      yield* client
        .table("sys_user")
        .update(itil?.sys_id ?? "", { user_password: "N3w-pass!", title: "Agent" })
      assert.isTrue(emulator.servicenow.passwordMatches(instance, "itil", "N3w-pass!"))
      yield* client
        .table("sys_user")
        .replace(itil?.sys_id ?? "", { user_password: Redacted.make("Other-pass!") })
      assert.isTrue(emulator.servicenow.passwordMatches(instance, "itil", "Other-pass!"))

      const entity = yield* client
        .table("oauth_entity")
        .create({ name: "sn365 inbound", type: "client", client_secret: Redacted.make("s3cret-value!") })
      assert.isTrue(
        emulator.servicenow.secretMatches(
          instance,
          "oauth_entity",
          entity.sys_id,
          "client_secret",
          "s3cret-value!",
        ),
      )
      // `type` stayed a stored value: the secret's flag did not turn it into a display value.
      assert.strictEqual(entity.type, "client")
      const token = yield* client.token({
        grant: "password",
        clientId: entity.client_id ?? "",
        clientSecret: Redacted.make("s3cret-value!"),
        username: "itil",
        password: Redacted.make("Other-pass!"),
      })
      assert.strictEqual(token.tokenType, "Bearer")
    }),
  )
})
