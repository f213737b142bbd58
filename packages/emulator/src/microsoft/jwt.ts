/**
 * JSON Web Tokens as the emulated identity platform issues them: RS256, signed with one RSA key
 * per process (published at the `jwks_uri`), so that any party can verify them as it would verify
 * Entra's. Also the verification of certificate client assertions (RS256 with `x5t`, PS256 with
 * `x5t#S256`, as msal-node 7.2.3 produces them).
 *
 * @module
 */
import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto"

/** Claims of a token, as decoded JSON. */
export type Claims = Readonly<Record<string, unknown>>

interface SigningKey {
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
}

let signingKey: SigningKey | undefined

/** The process-wide signing key, generated on first use (RSA 2048). */
const key = (): SigningKey => {
  if (signingKey === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
    const der = publicKey.export({ type: "spki", format: "der" })
    signingKey = { kid: createHash("sha1").update(der).digest("base64url"), privateKey, publicKey }
  }
  return signingKey
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** Signs `claims` with RS256 and the process key. */
export const signJwt = (claims: Claims): string => {
  const { kid, privateKey } = key()
  const input = `${b64({ typ: "JWT", alg: "RS256", kid })}.${b64(claims)}`
  return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`
}

/** A decoded token: header, claims and what was signed. No verification. */
export interface DecodedJwt {
  readonly header: Claims
  readonly claims: Claims
  readonly input: string
  readonly signature: Buffer
}

/** Splits and decodes a compact JWT; `undefined` when it is not one. */
export const decodeJwt = (token: string): DecodedJwt | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3) return undefined
  const [header, claims, signature] = parts as [string, string, string]
  try {
    const h = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as unknown
    const c = JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as unknown
    if (typeof h !== "object" || h === null || typeof c !== "object" || c === null) return undefined
    return {
      header: h as Claims,
      claims: c as Claims,
      input: `${header}.${claims}`,
      signature: Buffer.from(signature, "base64url"),
    }
  } catch {
    return undefined
  }
}

/** The claims of a token this process signed, or `undefined` when the signature does not verify. */
export const verifyJwt = (token: string): Claims | undefined => {
  const decoded = decodeJwt(token)
  if (decoded === undefined || decoded.header.alg !== "RS256" || decoded.header.kid !== key().kid)
    return undefined
  return verify("sha256", Buffer.from(decoded.input), key().publicKey, decoded.signature)
    ? decoded.claims
    : undefined
}

/** Whether `decoded` is signed by `publicKey` with its header's algorithm (RS256 or PS256). */
export const verifyAssertionSignature = (decoded: DecodedJwt, publicKey: KeyObject): boolean => {
  const data = Buffer.from(decoded.input)
  try {
    if (decoded.header.alg === "RS256") return verify("sha256", data, publicKey, decoded.signature)
    if (decoded.header.alg === "PS256") {
      return verify(
        "sha256",
        data,
        {
          key: publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        decoded.signature,
      )
    }
  } catch {
    return false
  }
  return false
}

/** The JWKS document of the signing key, as served at `jwks_uri`. */
export const jwks = () => {
  const { kid, publicKey } = key()
  const jwk = publicKey.export({ format: "jwk" })
  return { keys: [{ kty: "RSA", use: "sig", kid, x5t: kid, n: jwk.n, e: jwk.e }] }
}

/** A public key from PEM text or a DER certificate/SPKI; `undefined` when it cannot be read. */
export const publicKeyFrom = (input: string | Buffer | KeyObject): KeyObject | undefined => {
  try {
    return typeof input === "object" && "asymmetricKeyType" in input
      ? input
      : createPublicKey(input as string | Buffer)
  } catch {
    return undefined
  }
}
