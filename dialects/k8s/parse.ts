/**
 * networking.k8s.io/v1 NetworkPolicy → IR, with the API server's defaulting made explicit:
 * absent `policyTypes` (Ingress, plus Egress when egress rules exist), absent `protocol` (TCP),
 * absent or empty `from`/`to` (every peer), absent or empty `ports` (every port and protocol), a
 * `podSelector`-only peer pinned to the policy's namespace, and `ipBlock` matching any address.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../../src/diagnostics.js'
import { decode } from '../../src/io/decode.js'
import type { Path, SourceDoc } from '../../src/io/source.js'
import { at } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { DirectionRules, Origin, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { ParseOutput } from '../dialect.js'
import { selectorProblems } from '../kube.js'
import * as K from './codec.js'

// -------------------------------------------------------------------------------------
// selectors
// -------------------------------------------------------------------------------------

/** A LabelSelector as a formula over the labels of `owner`; `{}` is true. */
export const selectorFormula = (sel: K.LabelSelector, owner: F.LabelOwner): F.Formula =>
  F.and(
    ...Object.entries(sel.matchLabels ?? {}).map(([k, v]) => F.labelEquals(owner, k, v)),
    ...(sel.matchExpressions ?? []).map((r) => requirementFormula(r, owner))
  )

const requirementFormula = (r: K.LabelSelectorRequirement, owner: F.LabelOwner): F.Formula => {
  switch (r.operator) {
    case 'In':
      return F.labelIn(owner, r.key, r.values ?? [])
    case 'NotIn':
      return F.not(F.labelIn(owner, r.key, r.values ?? []))
    case 'Exists':
      return F.exists(owner, r.key)
    case 'DoesNotExist':
      return F.not(F.exists(owner, r.key))
  }
}

/** The API server's LabelSelector validation, positioned. */
const checkSelector = (doc: SourceDoc, sel: K.LabelSelector, path: Path): ReadonlyArray<D.Diagnostic> =>
  selectorProblems(sel).map((p) => D.error('invalid-selector', p.message, at(doc, [...path, ...p.path])))

// -------------------------------------------------------------------------------------
// peers and ports
// -------------------------------------------------------------------------------------

const peerFormula = (
  doc: SourceDoc,
  peer: K.NetworkPolicyPeer,
  namespace: string,
  path: Path
): E.Either<ReadonlyArray<D.Diagnostic>, F.Formula> => {
  const here = at(doc, path)
  if (peer.ipBlock !== undefined) {
    if (peer.podSelector !== undefined || peer.namespaceSelector !== undefined)
      return E.left([D.error('invalid-peer', 'ipBlock may not be combined with podSelector or namespaceSelector', here)])
    const block = peer.ipBlock
    const cidr = C.parseCidr(block.cidr)
    if (E.isLeft(cidr)) return E.left([D.error('invalid-cidr', cidr.left, doc.locate([...path, 'ipBlock', 'cidr']))])
    const problems: Array<D.Diagnostic> = []
    let except = C.empty
    ;(block.except ?? []).forEach((x, i) => {
      const e = C.parseCidr(x)
      const where = at(doc, [...path, 'ipBlock', 'except', i])
      if (E.isLeft(e)) problems.push(D.error('invalid-cidr', e.left, where))
      else if (!C.isSubset(e.right, cidr.right) || C.equals(e.right, cidr.right))
        problems.push(D.error('invalid-cidr', `except ${x} must be strictly inside cidr ${block.cidr}`, where))
      else except = C.union(except, e.right)
    })
    return problems.length > 0 ? E.left(problems) : E.right(F.ipIn(C.difference(cidr.right, except)))
  }
  if (peer.podSelector === undefined && peer.namespaceSelector === undefined)
    return E.left([D.error('invalid-peer', 'a peer must set podSelector, namespaceSelector or ipBlock', here)])
  const problems = [
    ...(peer.podSelector === undefined ? [] : checkSelector(doc, peer.podSelector, [...path, 'podSelector'])),
    ...(peer.namespaceSelector === undefined ? [] : checkSelector(doc, peer.namespaceSelector, [...path, 'namespaceSelector']))
  ]
  if (problems.length > 0) return E.left(problems)
  return E.right(
    F.and(
      F.kind(['pod']),
      peer.namespaceSelector === undefined ? F.inNamespace([namespace]) : selectorFormula(peer.namespaceSelector, 'namespace'),
      peer.podSelector === undefined ? F.tt : selectorFormula(peer.podSelector, 'endpoint')
    )
  )
}

const portSet = (doc: SourceDoc, p: K.NetworkPolicyPort, path: Path): E.Either<D.Diagnostic, P.PortSet> => {
  const proto = p.protocol === 'UDP' ? P.UDP : p.protocol === 'SCTP' ? P.SCTP : P.TCP
  if (p.port === undefined) {
    if (p.endPort !== undefined) return E.left(D.error('invalid-port', 'endPort requires port', doc.locate([...path, 'endPort'])))
    return E.right(P.protocol(proto))
  }
  if (typeof p.port === 'string') {
    if (p.endPort !== undefined)
      return E.left(D.error('invalid-port', 'endPort may not be used with a named port', doc.locate([...path, 'endPort'])))
    return E.right(P.named(p.port, proto))
  }
  if (p.endPort !== undefined) {
    if (p.endPort < p.port)
      return E.left(D.error('invalid-port', `endPort ${p.endPort} must not be less than port ${p.port}`, doc.locate([...path, 'endPort'])))
    return E.right(P.range(proto, p.port, p.endPort))
  }
  return E.right(P.port(proto, p.port))
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

const ruleOf = (
  doc: SourceDoc,
  peers: ReadonlyArray<K.NetworkPolicyPeer> | undefined,
  ports: ReadonlyArray<K.NetworkPolicyPort> | undefined,
  namespace: string,
  path: Path,
  peersKey: 'from' | 'to'
): E.Either<ReadonlyArray<D.Diagnostic>, Rule> => {
  const problems: Array<D.Diagnostic> = []
  const peerFs: Array<F.Formula> = []
  ;(peers ?? []).forEach((peer, i) => {
    const r = peerFormula(doc, peer, namespace, [...path, peersKey, i])
    if (E.isLeft(r)) problems.push(...r.left)
    else peerFs.push(r.right)
  })
  let set = ports === undefined || ports.length === 0 ? P.all : P.empty
  ;(ports ?? []).forEach((p, i) => {
    const r = portSet(doc, p, [...path, 'ports', i])
    if (E.isLeft(r)) problems.push(r.left)
    else set = P.union(set, r.right)
  })
  if (problems.length > 0) return E.left(problems)
  return E.right({
    action: 'allow',
    peer: peerFs.length === 0 ? F.tt : F.or(...peerFs),
    ports: set,
    l7: undefined,
    location: at(doc, path)
  })
}

// -------------------------------------------------------------------------------------
// policy
// -------------------------------------------------------------------------------------

/** The namespace a namespaced object without `metadata.namespace` lands in (as with `kubectl apply` in the default context). */
export const defaultNamespace = 'default'

const withoutLastApplied = (a: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined => {
  if (a === undefined) return undefined
  const { 'kubectl.kubernetes.io/last-applied-configuration': _dropped, ...rest } = a
  return Object.keys(rest).length === 0 ? undefined : rest
}

export const parse = (doc: SourceDoc): ParseOutput => {
  const decoded = decode(K.NetworkPolicy, doc, doc.value)
  if (E.isLeft(decoded)) return { set: { policies: [], tiers: [], networkSets: [] }, diagnostics: decoded.left }
  const np = decoded.right
  const spec: K.NetworkPolicySpec = np.spec ?? {}
  const namespace = np.metadata.namespace ?? defaultNamespace
  const diagnostics: Array<D.Diagnostic> = []
  const origin: Origin = {
    dialect: 'k8s',
    kind: 'NetworkPolicy',
    namespace,
    name: np.metadata.name,
    location: at(doc, []),
    labels: np.metadata.labels,
    annotations: withoutLastApplied(np.metadata.annotations)
  }
  if (np.metadata.namespace === undefined)
    diagnostics.push(D.warning('namespace-defaulted', `metadata.namespace is not set; using "${defaultNamespace}" (give -n NAMESPACE to choose)`, at(doc, ['metadata'])))
  if (spec.podSelector === undefined)
    diagnostics.push(
      D.warning('missing-pod-selector', 'spec.podSelector is not set; the API server stores it as {} (every pod in the namespace)', doc.locate(['spec']))
    )
  const podSelector = spec.podSelector ?? {}
  diagnostics.push(...checkSelector(doc, podSelector, ['spec', 'podSelector']))

  const types = spec.policyTypes ?? ((spec.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'])
  const direction = (
    governed: boolean,
    rules: ReadonlyArray<K.IngressRule | K.EgressRule> | undefined,
    key: 'ingress' | 'egress'
  ): DirectionRules | undefined => {
    if (!governed) {
      if ((rules?.length ?? 0) > 0)
        diagnostics.push(
          D.warning('ignored-rules', `spec.${key} has rules but spec.policyTypes does not list ${key === 'ingress' ? 'Ingress' : 'Egress'}, so they have no effect`, doc.locate(['spec', key]))
        )
      return undefined
    }
    const out: Array<Rule> = []
    ;(rules ?? []).forEach((r, i) => {
      const peers = 'from' in r ? r.from : 'to' in r ? r.to : undefined
      const parsed = ruleOf(doc, peers, r.ports, namespace, ['spec', key, i], key === 'ingress' ? 'from' : 'to')
      if (E.isLeft(parsed)) diagnostics.push(...parsed.left)
      else out.push(parsed.right)
    })
    return { defaultDeny: true, rules: out }
  }
  const ingress = direction(types.includes('Ingress'), spec.ingress, 'ingress')
  const egress = direction(types.includes('Egress'), spec.egress, 'egress')
  if (D.hasErrors(diagnostics)) return { set: { policies: [], tiers: [], networkSets: [] }, diagnostics }
  const policy: Policy = {
    _tag: 'Policy',
    origin,
    scope: { _tag: 'namespace', namespace },
    ordering: undefined,
    subject: F.and(F.kind(['pod']), selectorFormula(podSelector, 'endpoint')),
    ingress,
    egress
  }
  const set: PolicySet = { policies: [policy], tiers: [], networkSets: [] }
  return { set, diagnostics }
}
