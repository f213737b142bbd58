/** Carrying a core HTTP error's details over into an m365 error. */
import type { HttpError } from "@sn365/core"

/** The request and vendor fields of an HTTP error, to carry over into an m365 error. */
export const errorFields = (e: HttpError) => ({
  method: e.method,
  url: e.url,
  requestId: e.requestId,
  ...("status" in e && typeof e.status === "number" ? { status: e.status } : {}),
  ...("vendorCode" in e ? { vendorCode: e.vendorCode, vendorMessage: e.vendorMessage } : {}),
})
