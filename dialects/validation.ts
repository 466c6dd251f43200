/**
 * The API server's validation of object names, namespaces, label keys and label values, as
 * k8s.io/apimachinery/pkg/util/validation/validation.go defines them (`IsDNS1123Subdomain`,
 * `IsDNS1123Label`, `IsQualifiedName`, `IsValidLabelValue`), with messages that also say what went
 * wrong in user terms: a template placeholder left unfilled, an invisible control or
 * bidirectional-text character, a length over the limit.
 *
 * Each check returns `undefined` when the string is valid, else the reason. Pure functions.
 */
import { looksLikePlaceholder } from '../src/io/decode.js'

/** `DNS1123SubdomainMaxLength` */
export const maxSubdomainLength = 253
/** `DNS1123LabelMaxLength` */
export const maxLabelLength = 63
/** `qualifiedNameMaxLength` (the name part of a label key) */
export const maxQualifiedNameLength = 63
/** `LabelValueMaxLength` */
export const maxLabelValueLength = 63

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/**
 * Characters that are invisible or reorder text when shown: C0/C1 controls, zero-width characters,
 * the line and paragraph separators (U+2028, U+2029), bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) and the byte-order mark. None is valid in a name or label;
 * they are named, since a terminal would not show them.
 */
const hidden = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u

const codePoint = (c: string): string => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`


/** Why `s` is not a plain name: a placeholder or a hidden character; else undefined. */
const userProblem = (s: string): string | undefined => {
  if (looksLikePlaceholder(s)) return 'it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
  const h = hidden.exec(s)
  if (h !== null) return `it contains the invisible control or bidirectional-text character ${codePoint(h[0])}`
  return undefined
}

const tooLong = (s: string, max: number): string | undefined => (s.length > max ? `it is ${s.length} characters long; at most ${max} are allowed` : undefined)

/** `IsDNS1123Subdomain`: object names of most kinds (NetworkPolicy, custom resources). */
export const subdomainProblem = (s: string): string | undefined => {
  if (s.length === 0) return 'it must not be empty'
  return (
    userProblem(s) ??
    tooLong(s, maxSubdomainLength) ??
    (dns1123Subdomain.test(s) ? undefined : "it must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit")
  )
}

/** `IsDNS1123Label`: namespace names. */
export const labelNameProblem = (s: string): string | undefined => {
  if (s.length === 0) return 'it must not be empty'
  return (
    userProblem(s) ??
    tooLong(s, maxLabelLength) ??
    (dns1123Label.test(s) ? undefined : "it must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit")
  )
}

/** `IsQualifiedName`: label keys (and annotation keys): an optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
export const labelKeyProblem = (s: string): string | undefined => {
  const user = userProblem(s)
  if (user !== undefined) return user
  const parts = s.split('/')
  if (parts.length > 2) return "a label key is a name with an optional prefix and one '/' (e.g. 'example.com/my-name')"
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : [undefined, parts[0] ?? '']
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'the prefix before the "/" must not be empty'
    const p = subdomainProblem(prefix)
    if (p !== undefined) return `the prefix "${prefix}": ${p}`
  }
  if (name.length === 0) return 'the name part must not be empty'
  if (name.length > maxQualifiedNameLength) return `the name part is ${name.length} characters long; at most ${maxQualifiedNameLength} are allowed`
  return qualifiedNamePart.test(name)
    ? undefined
    : "the name part must consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
}

/** `IsValidLabelValue`: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
export const labelValueProblem = (s: string): string | undefined =>
  userProblem(s) ??
  tooLong(s, maxLabelValueLength) ??
  (labelValue.test(s) ? undefined : "a label value must be empty or consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit")
