/**
 * A defaults profile: a small netpolx-owned resource that describes, in dialect-neutral terms,
 * the cluster-wide policies a baseline contributes. The built-in profiles (`profiles/*.yaml`) are
 * such files; users write their own the same way.
 *
 * ```yaml
 * apiVersion: netpolx.io/v1alpha1
 * kind: DefaultsProfile
 * metadata:
 *   name: allow-dns                      # what --profile names
 * spec:
 *   description: Pods may query the cluster DNS.
 *   example: netpolx defaults --profile default-deny --profile allow-dns --to cilium
 *   parameters:                          # filled from the command line; no default = required
 *     - name: dnsPort
 *       type: port                       # see params.ts
 *       default: 53
 *       description: the port the DNS pods listen on
 *   policies:                            # policy templates, see policy.ts; ${name} = a parameter
 *     - name: allow-dns
 *       directions: egress
 *       …
 * ```
 *
 * Decoding happens in two steps so that every error points at its `file:line:col`: this module
 * decodes the document and its parameters (the policies stay raw), `policy.ts` decodes the
 * policies once `template.ts` has put the parameter values in. Nothing here throws.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as D from '../diagnostics.js'
import { decode, oneOf, refinedString, struct } from '../io/decode.js'
import type { SourceDoc } from '../io/source.js'
import type { ParameterType, Value } from './params.js'
import { parameterTypes, valueFromYaml } from './params.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export const apiVersion = 'netpolx.io/v1alpha1'
export const kind = 'DefaultsProfile'

export interface Parameter {
  readonly name: string
  readonly type: ParameterType
  /** undefined: the parameter is required. */
  readonly default: Value | undefined
  readonly description: string | undefined
}

export interface Profile {
  readonly name: string
  readonly description: string | undefined
  readonly example: string | undefined
  readonly parameters: ReadonlyArray<Parameter>
  /** The policy templates, raw (decoded after substitution by `policy.ts`). */
  readonly policies: ReadonlyArray<unknown>
  /** The document, for positions. */
  readonly doc: SourceDoc
}

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Profile and policy names: DNS-1123 labels, so that every dialect accepts them as object names. */
export const ObjectName = refinedString('name', (s) =>
  s.length <= 63 && dnsLabel.test(s) ? undefined : `invalid name ${JSON.stringify(s)}: expected a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`
)

const ParameterName = refinedString('parameter name', (s) =>
  /^[A-Za-z][A-Za-z0-9]*$/.test(s) ? undefined : `invalid parameter name ${JSON.stringify(s)}: expected letters and digits, starting with a letter`
)

const ParameterC = struct(
  'parameter',
  { name: ParameterName, type: oneOf('parameter type', parameterTypes) },
  { default: t.unknown, description: t.string }
)

const Spec = struct(
  'DefaultsProfile spec',
  { policies: t.readonlyArray(t.unknown) },
  { description: t.string, example: t.string, parameters: t.readonlyArray(ParameterC) }
)

const ProfileC = struct(
  'DefaultsProfile',
  {
    apiVersion: oneOf('apiVersion', [apiVersion] as const),
    kind: oneOf('kind', [kind] as const),
    metadata: struct('metadata', { name: ObjectName }, { labels: t.unknown, annotations: t.unknown }),
    spec: Spec
  },
  {}
)

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/** Whether a document claims to be a defaults profile (so that other documents can be told apart). */
export const isProfileDoc = (doc: SourceDoc): boolean => {
  const v = doc.value
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>).kind === kind
}

/** Decodes one profile document; every problem is an error at its position. */
export const decodeProfile = (doc: SourceDoc): E.Either<ReadonlyArray<D.Diagnostic>, Profile> => {
  const r = decode(ProfileC, doc, doc.value)
  if (E.isLeft(r)) return r
  const { metadata, spec } = r.right
  const errors: Array<D.Diagnostic> = []
  const seen = new Set<string>()
  const parameters = (spec.parameters ?? []).map((p, i): Parameter => {
    const path = ['spec', 'parameters', i]
    if (seen.has(p.name)) errors.push(D.error('invalid-field', `spec.parameters[${i}].name: parameter ${JSON.stringify(p.name)} is declared twice`, doc.locate([...path, 'name'])))
    seen.add(p.name)
    let dflt: Value | undefined
    if (p.default !== undefined) {
      const v = valueFromYaml(p.type, p.default)
      if (E.isLeft(v)) errors.push(D.error('invalid-field', `spec.parameters[${i}].default: ${v.left}`, doc.locate([...path, 'default'])))
      else dflt = v.right
    }
    return { name: p.name, type: p.type, default: dflt, description: p.description }
  })
  if (errors.length > 0) return E.left(errors)
  return E.right({ name: metadata.name, description: spec.description, example: spec.example, parameters, policies: spec.policies, doc })
}
