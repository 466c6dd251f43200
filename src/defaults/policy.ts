/**
 * The policies of a defaults profile, in dialect-neutral terms (after parameter substitution).
 *
 * ```yaml
 * - name: allow-dns                # object name in every dialect (DNS-1123 label)
 *   description: …                 # optional
 *   directions: egress             # ingress | egress | both: the directions the policy governs
 *   isolate: true                  # optional, default true: governed directions become default-deny
 *   subject:                       # optional, default every pod; always pods only
 *     namespaces: [a, b]           #   only in these namespaces
 *     exceptNamespaces: [kube-system]
 *     labels: {app: web}           #   with these labels
 *   rules:                         # optional, default none
 *     - action: allow              # allow | deny
 *       direction: egress          # optional: default every governed direction
 *       peers:                     # optional, default any peer; a peer is exactly one of:
 *         - pods:                  #   pods (every pod when empty)
 *             namespaces: [kube-system]
 *             exceptNamespaces: […]
 *             sameNamespace: true  #   in the subject's own namespace (written per namespace)
 *             labels: {k8s-app: kube-dns}
 *             namespaceLabels: {…}
 *         - external:              #   addresses outside the cluster (every one when empty)
 *             cidrs: [10.0.0.0/8]
 *             except: [10.1.0.0/16]
 *       ports:                     # optional, default every port and protocol
 *         - {protocol: UDP, port: 53}          # protocol TCP (default), UDP or SCTP
 *         - {port: 8000, endPort: 8080}        # or a port name: {port: metrics}
 * ```
 *
 * `isolate: false` makes a policy that denies (or allows) without making anything default-deny,
 * as Cilium's `enableDefaultDeny: false` does (research/cilium.md §4.1); how each dialect gets that
 * meaning is `target.ts`'s business. Nothing here throws.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { ianaServiceNameProblem } from '../../dialects/kube.js'
import type * as D from '../diagnostics.js'
import { decode, describe, intRange, oneOf, refinedString, struct } from '../io/decode.js'
import type { Path, SourceDoc } from '../io/source.js'
import * as C from '../ir/cidr.js'
import { labelsProblem, namespaceProblem } from './params.js'
import { ObjectName } from './profile.js'

// -------------------------------------------------------------------------------------
// leaves
// -------------------------------------------------------------------------------------

const Namespace = refinedString('namespace name', namespaceProblem)
const Namespaces = t.readonlyArray(Namespace)

const Labels = new t.Type<Readonly<Record<string, string>>, unknown, unknown>(
  'labels',
  (u): u is Readonly<Record<string, string>> => typeof u === 'object' && u !== null && !Array.isArray(u) && Object.values(u).every((v) => typeof v === 'string'),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected labels (a mapping of keys to string values), got ${describe(u)}`)
    const bad = Object.entries(u).find(([, v]) => typeof v !== 'string')
    if (bad !== undefined) return t.failure(u, c, `expected a string value for label ${JSON.stringify(bad[0])}, got ${describe(bad[1])}`)
    const m = u as Readonly<Record<string, string>>
    const problem = labelsProblem(m)
    return problem === undefined ? t.success(m) : t.failure(u, c, problem)
  },
  (a) => a
)

const Cidr = refinedString('CIDR', (s) => E.match<string, C.CidrSet, string | undefined>((why) => why, () => undefined)(C.parseCidr(s)))
const Cidrs = t.readonlyArray(Cidr)

const PortValue = new t.Type<number | string, unknown, unknown>(
  'port',
  (u): u is number | string => typeof u === 'number' || typeof u === 'string',
  (u, c) => {
    if (typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 65535) return t.success(u)
    if (typeof u === 'string') {
      const why = ianaServiceNameProblem(u)
      return why === undefined ? t.success(u) : t.failure(u, c, `invalid port name ${describe(u)}: ${why}`)
    }
    return t.failure(u, c, `invalid port ${describe(u)}: expected a number from 1 to 65535 or a port name`)
  },
  (a) => a
)

// -------------------------------------------------------------------------------------
// shapes
// -------------------------------------------------------------------------------------

export const PodsPeer = struct(
  'pods peer',
  {},
  { namespaces: Namespaces, exceptNamespaces: Namespaces, sameNamespace: t.boolean, labels: Labels, namespaceLabels: Labels }
)
export type PodsPeer = t.TypeOf<typeof PodsPeer>

export const ExternalPeer = struct('external peer', {}, { cidrs: Cidrs, except: Cidrs })
export type ExternalPeer = t.TypeOf<typeof ExternalPeer>

export type Peer = { readonly _tag: 'pods'; readonly pods: PodsPeer } | { readonly _tag: 'external'; readonly external: ExternalPeer }

const peerKinds = ['pods', 'external'] as const

/** Exactly one of `pods`, `external`; an empty value (`pods:`) means every pod, every external address. */
const PeerC = new t.Type<Peer, unknown, unknown>(
  'peer',
  (u): u is Peer => typeof u === 'object' && u !== null && '_tag' in u,
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected a peer (a mapping with pods or external), got ${describe(u)}`)
    const keys = Object.keys(u)
    const unknown = keys.find((k) => !(peerKinds as ReadonlyArray<string>).includes(k))
    if (unknown !== undefined)
      return t.failures([{ value: u, context: [...c, { key: unknown, type: t.never, actual: undefined }], message: `unknown field "${unknown}" in peer: expected pods or external` }])
    if (keys.length !== 1) return t.failure(u, c, `a peer is exactly one of pods or external, got ${keys.length === 0 ? 'neither' : 'both'} (write two peers for both)`)
    const record = u as Readonly<Record<string, unknown>>
    if ('pods' in record) {
      const r = PodsPeer.validate(record.pods ?? {}, [...c, { key: 'pods', type: PodsPeer, actual: record.pods }])
      return E.isLeft(r) ? r : t.success({ _tag: 'pods', pods: r.right })
    }
    const r = ExternalPeer.validate(record.external ?? {}, [...c, { key: 'external', type: ExternalPeer, actual: record.external }])
    return E.isLeft(r) ? r : t.success({ _tag: 'external', external: r.right })
  },
  (a) => a
)

export const PortC = struct(
  'port',
  { port: PortValue },
  { protocol: oneOf('protocol', ['TCP', 'UDP', 'SCTP'] as const), endPort: intRange('endPort', 1, 65535) }
)
export type Port = t.TypeOf<typeof PortC>

export const RuleC = struct(
  'rule',
  { action: oneOf('action', ['allow', 'deny'] as const) },
  { direction: oneOf('direction', ['ingress', 'egress'] as const), peers: t.readonlyArray(PeerC), ports: t.readonlyArray(PortC) }
)
export type RuleSpec = t.TypeOf<typeof RuleC>

export const SubjectC = struct('subject', {}, { namespaces: Namespaces, exceptNamespaces: Namespaces, labels: Labels })
export type Subject = t.TypeOf<typeof SubjectC>

export const PolicyC = struct(
  'policy',
  { name: ObjectName, directions: oneOf('directions', ['ingress', 'egress', 'both'] as const) },
  { description: t.string, isolate: t.boolean, subject: SubjectC, rules: t.readonlyArray(RuleC) }
)
export type PolicySpec = t.TypeOf<typeof PolicyC>

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/** The policies of a profile after substitution (`value` found at `base` in `doc`), every problem an error at its position. */
export const decodePolicies = (doc: SourceDoc, value: unknown, base: Path): E.Either<ReadonlyArray<D.Diagnostic>, ReadonlyArray<PolicySpec>> =>
  decode(t.readonlyArray(PolicyC), doc, value, base)
