/**
 * The end of a repository delivery: once the admin-center repository holds the rotated secrets,
 * the inbound endpoint's pending mark (`Names.ts`, `DELIVERY_PENDING`) is cleared.
 *
 * A step of its own, so that completing the integration (W10) waits for the repository, not for
 * this bookkeeping write: a run that dies between the two leaves the mark, and the next run writes
 * the repository again — safe, only slower.
 *
 * @module
 */
import { Effect } from "effect"
import { set } from "../internal/step.ts"
import { inboundComments } from "../Names.ts"
import { repositoryNeedsWrite } from "./microsoft365.ts"
import type { BasicStep } from "./steps.ts"

export const repositoryDelivered: BasicStep = {
  id: "servicenow.repositoryDelivered",
  title: "Repository delivery recorded",
  owner: "servicenow",
  dependsOn: ["microsoft365.repository"],
  key: (env) => env.names.inboundClientName,
  plan: (observed, env) =>
    repositoryNeedsWrite(observed, env)
      ? { action: "update", changes: [set("comments", inboundComments(env.names, false))] }
      : { action: "keep", changes: [] },
  apply: (_observed, plan, env, outputs) =>
    Effect.gen(function* () {
      if (plan.action === "keep") return { outcome: "kept" }
      const inbound = outputs.inboundClient
      if (inbound === undefined)
        return yield* Effect.die(new Error("the delivery is recorded only after the inbound endpoint step"))
      yield* env.sn
        .table("oauth_entity")
        .update(inbound.sysId, { comments: inboundComments(env.names, false) }, { fields: ["sys_id"] })
      return { outcome: "updated" }
    }),
}
