import { assert, describe, it } from "@effect/vitest"
import { Redacted } from "effect"
import {
  isSecretName,
  REDACTED,
  redactBody,
  redactHeaders,
  redactText,
  redactUrl,
  revealSecrets,
  secretsOfRequest,
} from "../src/Redact.ts"

describe("isSecretName", () => {
  it.each([
    "client_secret",
    "password",
    "user_password",
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "assertion",
    "client_assertion",
    "sig",
    "token",
    "Authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-sn-apikey",
    "x-usertoken",
    "api_key",
    "secretText",
    "JSESSIONID",
  ])("%s is secret", (name) => assert.isTrue(isSecretName(name)))

  it.each(["client_id", "grant_type", "scope", "sysparm_query", "accept", "content-type", "keyId", "state"])(
    "%s is not secret",
    (name) => assert.isFalse(isSecretName(name)),
  )
})

describe("redactUrl", () => {
  it("redacts secret query parameters and keeps the others as encoded", () => {
    assert.strictEqual(
      redactUrl(
        "https://login.example/t?client_id=abc&client_secret=s3cr%2Ft&password=p&access_token=a&refresh_token=r&code=c&assertion=x&sig=y&token=z&state=a%20b",
      ),
      "https://login.example/t?client_id=abc&client_secret=<redacted>&password=<redacted>&access_token=<redacted>&refresh_token=<redacted>&code=<redacted>&assertion=<redacted>&sig=<redacted>&token=<redacted>&state=a%20b",
    )
  })

  it("redacts userinfo and fragment parameters", () => {
    assert.strictEqual(
      redactUrl("https://admin:hunter2@dev1.service-now.com/cb#access_token=abc&state=1"),
      "https://<redacted>@dev1.service-now.com/cb#access_token=<redacted>&state=1",
    )
  })

  it("redacts known secrets in the path and in query values", () => {
    assert.strictEqual(
      redactUrl(new URL("https://x.example/users/Sup3rS3cret/x?q=name%3DSup3rS3cret"), [
        Redacted.make("Sup3rS3cret"),
      ]),
      "https://x.example/users/<redacted>/x?q=name%3D<redacted>",
    )
  })

  it("keeps URLs without secrets unchanged", () => {
    const url =
      "https://dev1.service-now.com/api/now/table/sys_user?sysparm_query=active%3Dtrue&sysparm_limit=10"
    assert.strictEqual(redactUrl(url), url)
  })

  it("redacts text that is not a URL as free text", () => {
    assert.strictEqual(redactUrl("not a url password=x"), `not a url password=${REDACTED}`)
  })

  it("handles parameters without a value and malformed encodings", () => {
    assert.strictEqual(
      redactUrl("https://x.example/?flag&%E0%A4%A=1&token"),
      "https://x.example/?flag&%E0%A4%A=1&token",
    )
  })
})

describe("redactHeaders", () => {
  it("redacts credential headers and keeps the rest", () => {
    assert.deepStrictEqual(
      redactHeaders({
        Authorization: "Basic dXNlcjpwYXNz",
        "Proxy-Authorization": "Bearer x",
        Cookie: "JSESSIONID=1",
        "X-SN-APIKEY": "k",
        "X-UserToken": "t",
        Accept: "application/json",
      }),
      {
        accept: "application/json",
        authorization: REDACTED,
        cookie: REDACTED,
        "proxy-authorization": REDACTED,
        "x-sn-apikey": REDACTED,
        "x-usertoken": REDACTED,
      },
    )
  })

  it("redacts set-cookie and known secrets in other values", () => {
    const headers = new Headers([
      ["set-cookie", "glide_session_store=abc"],
      ["x-debug", "echo Pa55word!"],
    ])
    assert.deepStrictEqual(redactHeaders(headers, ["Pa55word!"]), {
      "set-cookie": REDACTED,
      "x-debug": `echo ${REDACTED}`,
    })
  })
})

describe("redactBody", () => {
  it("redacts secret JSON keys at any depth, but not error codes", () => {
    const body = JSON.stringify({
      user_name: "m365",
      user_password: "hunter2",
      nested: [{ client_secret: "s", passwordCredentials: [{ secretText: "t" }] }],
      error: { code: "Request_BadRequest", message: "bad" },
    })
    assert.deepStrictEqual(JSON.parse(redactBody(body, "application/json; charset=utf-8")), {
      user_name: "m365",
      user_password: REDACTED,
      nested: [{ client_secret: REDACTED, passwordCredentials: REDACTED }],
      error: { code: "Request_BadRequest", message: "bad" },
    })
  })

  it("detects JSON without a content type and redacts known secrets in values", () => {
    assert.strictEqual(
      redactBody('{"note":"my pw is Tr0ub4dor"}', undefined, [Redacted.make("Tr0ub4dor")]),
      '{"note":"my pw is <redacted>"}',
    )
  })

  it("redacts form fields", () => {
    assert.strictEqual(
      redactBody(
        "grant_type=client_credentials&client_id=a&client_secret=s%2B3&scope=x",
        "application/x-www-form-urlencoded",
      ),
      "grant_type=client_credentials&client_id=a&client_secret=<redacted>&scope=x",
    )
    assert.strictEqual(
      redactBody("grant_type=password&password=p"),
      "grant_type=password&password=<redacted>",
    )
  })

  it("falls back to free text for invalid JSON and other types", () => {
    assert.strictEqual(redactBody('{"password":"x"', "application/json"), '{"password":"<redacted>"')
    assert.strictEqual(redactBody("token=abc in text", "text/plain"), `token=${REDACTED} in text`)
  })
})

describe("redactText", () => {
  it("does not treat boolean-looking values of secret-ish fields as secrets", () => {
    // A body with `password_needs_reset: "false"` makes "false" a "known secret" of the request.
    const text = "GET https://x.service-now.com/api/now/v2/table/sys_user?sysparm_display_value=false → 404"
    assert.strictEqual(redactText(text, ["false", "TRUE", "null"]), text)
    assert.strictEqual(redactText("pw is s3cret-pw", ["s3cret-pw", "false"]), `pw is ${REDACTED}`)
  })

  it("redacts credentials after auth schemes but not ordinary words", () => {
    assert.strictEqual(redactText("Authorization: Bearer abc.def-123"), `Authorization: Bearer ${REDACTED}`)
    assert.strictEqual(redactText("Basic dXNlcjpwYXNz"), `Basic ${REDACTED}`)
    assert.strictEqual(redactText("Basic authentication is disabled"), "Basic authentication is disabled")
    assert.strictEqual(redactText("Bearer Authentication failed"), "Bearer Authentication failed")
  })

  it("redacts JWTs, userinfo, name=value pairs and JSON fragments", () => {
    assert.strictEqual(
      redactText(
        'got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_x from https://u:p@h/x, password=abc; "client_secret": "s"',
      ),
      `got ${REDACTED} from https://${REDACTED}@h/x, password=${REDACTED}; "client_secret": "${REDACTED}"`,
    )
  })

  it("replaces known secrets in all their encodings, longest first", () => {
    const secret = "p@ss w0rd/+"
    const text = `raw ${secret} url ${encodeURIComponent(secret)} form ${new URLSearchParams({ v: secret }).toString().slice(2)}`
    assert.strictEqual(
      redactText(text, [Redacted.make(secret), "p@ss"]),
      `raw ${REDACTED} url ${REDACTED} form ${REDACTED}`,
    )
  })

  it("ignores known secrets too short to search for", () => {
    assert.strictEqual(redactText("a b c", ["a"]), "a b c")
  })
})

describe("secretsOfRequest", () => {
  it("collects credentials from headers (Basic decoded) and secret query parameters", () => {
    const request = new Request("https://x.example/t?client_secret=qs-secret&x=1", {
      headers: {
        authorization: `Basic ${Buffer.from("admin:B4sicPass").toString("base64")}`,
        "x-sn-apikey": "key123",
      },
    })
    const secrets = secretsOfRequest(request)
    assert.include(secrets, "B4sicPass")
    assert.include(secrets, "qs-secret")
    assert.include(secrets, "key123")
  })

  it("revealSecrets unwraps Redacted values", () => {
    assert.deepStrictEqual(revealSecrets([Redacted.make("a"), "b"]), ["a", "b"])
  })
})
