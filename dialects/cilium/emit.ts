/**
 * IR → cilium.io/v2 CiliumNetworkPolicy (namespace scope) / CiliumClusterwideNetworkPolicy
 * (cluster scope), preserving the IR's meaning under the `cilium` enforcement model
 * (dialects/cilium/ir-mapping.md, `src/semantics/cilium.ts`; research/cilium.md).
 *
 * Subjects. Each DNF conjunction of the subject becomes one rule (`spec`, or `specs` when there
 * are several, pods first): its pod part an `endpointSelector`, its host part a CCNP
 * `nodeSelector` over node labels (§1.2, §2.3). A CNP's namespace is injected by Cilium, so a
 * namespace atom is decided against the scope; a CCNP subject names
 * `k8s:io.kubernetes.pod.namespace` explicitly (`Exists` when unconstrained, so that it selects
 * pods and not e.g. health endpoints), or a `reserved:` label for health/ingress/init (§2.3, §3).
 *
 * Peers. Each conjunction of a peer formula is split by endpoint kind, every literal decided where
 * it is constant on that kind (§1.3: one peer kind per rule element, so each kind becomes its own
 * element with the same ports and L7):
 * - pods → `from/toEndpoints`, the namespace always written (`k8s:io.kubernetes.pod.namespace`
 *   In/NotIn/Exists) so that Cilium's injection (§2.4) cannot change it; namespace labels →
 *   `k8s:io.cilium.k8s.namespace.labels.<k>`, service accounts →
 *   `k8s:io.cilium.k8s.policy.serviceaccount`, pod labels `k8s:<k>` (as Cilium reads NetworkPolicy
 *   selectors, §5);
 * - hosts → `from/toNodes` over node labels, which never match the subject's own node (§2.4; exact
 *   for remote nodes, `entity(remote-node)`, and for ingress allow thanks to allow-localhost §4.7,
 *   else decided from the inventory or reported), or the `host` + `remote-node` entities for every
 *   node (§3);
 * - external addresses → `toCIDRSet` (`ipIn` never matches a cluster endpoint under the cilium
 *   model, §4.4), or the `world` entity for every address; an address range combined with pod
 *   conditions is reported;
 * - entities → `toEntities` (`world`, `cluster`, `all` combine as the kinds they stand for);
 *   `fqdn` → `toFQDNs` and `service` → `toServices`, egress allow only (§1.6, §4.9);
 *   `F.tt` → no peer field with ports, `toEntities: [all]` without (§1.10).
 * Label tests Cilium cannot see (identity-irrelevant keys, §2.1) are reported; string tests
 * (`startsWith`, …) are expanded to the inventory's values (`exact-for-inventory`) or reported.
 *
 * Ports: TCP/UDP/SCTP ranges and named ports → `toPorts` (port "0" for a whole protocol, at most
 * 40 per PortRule); ICMP/ICMPv6 whole types → `icmps` in their own element (§1.3, §1.8; type 0 is
 * port "0" to Cilium, i.e. every type, `pkg/policy/api/icmp.go`); every protocol → no L4 (§4.3);
 * other protocols reported. L7 → `rules` on explicit TCP ports (DNS: TCP/UDP/ANY, egress), never
 * on deny rules or host ingress (§1.4, §4.6).
 * Directions: allow → `ingress`/`egress`, deny → `ingressDeny`/`egressDeny`, log → dropped;
 * `defaultDeny: false` → `enableDefaultDeny` (§4.1); a default-deny direction with nothing to write
 * → `[{}]` (§1.10); a policy with no direction left is not written (Cilium rejects it, §1.2).
 *
 * Whatever cannot be written exactly yields a diagnostic with its fidelity (an allow rule that
 * matches less is `narrower`, a deny rule `broader`, and conversely; subjects `unsupported`) and a
 * YAML comment at the rule. Ordered (Calico) policies must have been compiled away (unless their
 * order is a plain union); otherwise they are reported `unsupported` and left out.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../../src/diagnostics.js'
import type { Inventory } from '../../src/cluster/inventory.js'
import type { Path } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Direction, DirectionRules, HttpPath, HttpRule, L7, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import { qualifiedName } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { Comment, EmitOptions, EmitOutput, Emitted, KubeObject } from '../dialect.js'
import { MatchName, MatchPattern, entities as ciliumEntities, isServiceName, maxICMPFields, maxPorts } from './codec.js'
import { fitName, nameKey, namer } from '../names.js'
import * as L from './labels.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type Json = Readonly<Record<string, unknown>>

interface Requirement {
  readonly key: string
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  readonly values?: ReadonlyArray<string>
}

interface Selector {
  readonly matchLabels?: Readonly<Record<string, string>>
  readonly matchExpressions?: ReadonlyArray<Requirement>
}

/**
 * How a finding changes what a rule matches: `missing` (it matches less), `extra` (more); the
 * fidelity follows from the rule's action (an allow that matches less is `narrower`, a deny
 * `broader`); in a subject both are `unsupported`.
 */
type Effect = 'missing' | 'extra' | 'exact' | 'exact-for-inventory' | 'unsupported'

interface Finding {
  readonly effect: Effect
  readonly code: string
  readonly message: string
}

type Sink = (f: Finding) => void

/** The action a finding is judged by: a rule's, or none for subjects. */
type Judged = 'allow' | 'deny' | undefined

const fidelityOf = (e: Effect, action: Judged): D.Fidelity => {
  if (e === 'missing') return action === 'allow' ? 'narrower' : action === 'deny' ? 'broader' : 'unsupported'
  if (e === 'extra') return action === 'allow' ? 'broader' : action === 'deny' ? 'narrower' : 'unsupported'
  return e
}

/** The label keys Cilium gives pods (research/cilium.md §2.1). */
const namespaceKey = 'k8s:io.kubernetes.pod.namespace'
const namespaceLabelPrefix = 'k8s:io.cilium.k8s.namespace.labels.'
const serviceAccountKey = 'k8s:io.cilium.k8s.policy.serviceaccount'
const podKey = (k: string): string => `k8s:${k}`
/** Node labels are written without a source (any source matches) unless the key would read as one (§2.2). */
const nodeKey = (k: string): string => (k.startsWith('$') || k.startsWith('reserved.') || k.includes(':') ? `any:${k}` : k)

/**
 * Pod (and host-endpoint node) label keys no Cilium identity carries: the default identity-relevant
 * label filter drops them (research/cilium.md §2.1), and `io.cilium.k8s*` is stripped from pod
 * labels. A selector on them never sees the label.
 */
const isIrrelevant = (k: string): boolean => L.isIdentityIrrelevant(k) || k.startsWith('io.cilium.k8s')

/** Label values Kubernetes (and the CRD's `matchLabels` pattern) accepts; others go to matchExpressions. */
const isLabelValue = (v: string): boolean => v.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)

// -------------------------------------------------------------------------------------
// context
// -------------------------------------------------------------------------------------

interface Ctx {
  readonly inventory: Inventory | undefined
  /** The values a label key takes on the inventory's objects of that owner (undefined without an inventory). */
  readonly valuesOf: (owner: F.LabelOwner, key: string) => ReadonlyArray<string> | undefined
}

const contextOf = (inventory: Inventory | undefined): Ctx => {
  const memo = new Map<string, ReadonlyArray<string>>()
  const labelsOf = (owner: F.LabelOwner): ReadonlyArray<Readonly<Record<string, string>>> =>
    inventory === undefined
      ? []
      : owner === 'endpoint'
        ? inventory.pods.map((p) => p.labels)
        : owner === 'namespace'
          ? inventory.namespaces.map((n) => n.labels)
          : owner === 'node'
            ? inventory.nodes.map((n) => n.labels)
            : []
  return {
    inventory,
    valuesOf: (owner, key) => {
      if (inventory === undefined) return undefined
      const k = `${owner}\u0000${key}`
      const hit = memo.get(k)
      if (hit !== undefined) return hit
      const vs = [...new Set(labelsOf(owner).flatMap((l) => (Object.prototype.hasOwnProperty.call(l, key) ? [l[key] ?? ''] : [])))].sort()
      memo.set(k, vs)
      return vs
    }
  }
}

// -------------------------------------------------------------------------------------
// selectors
// -------------------------------------------------------------------------------------

const showLiteral = (l: F.Literal): string => F.show(F.literal(l))

/**
 * A label literal as a requirement on `key`; `true`/`false` when it is constant (a string test
 * expanded over the inventory's values), undefined (reported) when it cannot be written.
 */
const labelRequirement = (l: F.Literal, a: F.Label, key: string, ctx: Ctx, sink: Sink): Requirement | boolean | undefined => {
  const t = a.test
  switch (t._tag) {
    case 'exists':
      return { key, operator: l.positive ? 'Exists' : 'DoesNotExist' }
    case 'in':
      return { key, operator: l.positive ? 'In' : 'NotIn', values: t.values }
    default: {
      const values = ctx.valuesOf(a.owner, a.key)
      if (values === undefined) {
        sink({
          effect: 'missing',
          code: 'unsupported-selector',
          message: `a Cilium selector cannot test "${showLiteral(l)}" (no string-prefix, suffix or substring operators; give --cluster to expand it to the values in the inventory)`
        })
        return undefined
      }
      const hits = values.filter((v) => F.testLabel({ [a.key]: v }, a.key, t))
      sink({
        effect: 'exact-for-inventory',
        code: 'selector-expanded',
        message: `"${showLiteral(l)}" is written as the inventory's matching values (${hits.length === 0 ? 'none' : hits.join(', ')})`
      })
      if (hits.length === 0) return !l.positive
      return { key, operator: l.positive ? 'In' : 'NotIn', values: hits }
    }
  }
}

const compareRequirement = (a: Requirement, b: Requirement): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0

/** Requirements as a selector: single-valued `In` as matchLabels (first per key), the rest as matchExpressions, sorted. */
const selectorOf = (reqs: ReadonlyArray<Requirement>): Selector => {
  const matchLabels: Record<string, string> = {}
  const exprs: Array<Requirement> = []
  for (const r of [...reqs].sort(compareRequirement)) {
    const only = r.values?.[0]
    if (r.operator === 'In' && r.values?.length === 1 && only !== undefined && isLabelValue(only) && !(r.key in matchLabels)) matchLabels[r.key] = only
    else exprs.push(r)
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(exprs.length > 0
      ? { matchExpressions: exprs.map((r) => (r.values === undefined ? { key: r.key, operator: r.operator } : { key: r.key, operator: r.operator, values: r.values })) }
      : {})
  }
}

/** A kind's part of a conjunction: the requirements left once every literal constant on that kind is decided. */
type Part = { readonly _tag: 'selector'; readonly reqs: ReadonlyArray<Requirement> } | { readonly _tag: 'none' } | { readonly _tag: 'problem' }

const none: Part = { _tag: 'none' }
const problem: Part = { _tag: 'problem' }

/** Where a pod part is written: a peer (namespace always explicit), a CNP subject (namespace decided by scope) or a CCNP subject. */
type PodMode = { readonly _tag: 'peer' } | { readonly _tag: 'cnp'; readonly namespace: string } | { readonly _tag: 'ccnp' }

/**
 * Reserved identities a CCNP `endpointSelector` may select by their `reserved:` label (§2.3, §3);
 * a CNP's subject always gets its namespace, which they lack, so there they select nothing.
 */
const subjectEntities: ReadonlyArray<string> = ['health', 'ingress', 'init', 'kube-apiserver', 'unmanaged']

/** The pod part of a conjunction (its `kind` and `ipIn` literals decided here; peers' `entity`/`fqdn`/`service` literals handled by the caller). */
const podPart = (c: ReadonlyArray<F.Literal>, mode: PodMode, ctx: Ctx, sink: Sink): Part => {
  const reqs: Array<Requirement> = []
  let namespaced = false
  let reserved = false
  for (const l of c) {
    const a = l.atom
    switch (a._tag) {
      case 'kind':
        continue
      case 'ipIn':
        // under the cilium model an address never matches a pod
        if (l.positive) return none
        continue
      case 'namespace':
        if (mode._tag === 'cnp') {
          if (a.names.includes(mode.namespace) !== l.positive) return none
          continue
        }
        namespaced = true
        reqs.push({ key: namespaceKey, operator: l.positive ? 'In' : 'NotIn', values: a.names })
        continue
      case 'serviceAccount':
        reqs.push({ key: serviceAccountKey, operator: l.positive ? 'In' : 'NotIn', values: a.names })
        continue
      case 'label': {
        if (a.owner === 'node' || a.owner === 'serviceAccount') {
          sink({
            effect: 'missing',
            code: 'unsupported-selector',
            message: `a Cilium endpoint selector cannot test "${showLiteral(l)}": pod identities carry no ${a.owner === 'node' ? 'node' : 'service-account'} labels`
          })
          return problem
        }
        const key = a.owner === 'namespace' ? `${namespaceLabelPrefix}${a.key}` : podKey(a.key)
        if (a.owner === 'endpoint' && isIrrelevant(a.key))
          sink({
            effect: l.positive ? 'missing' : 'extra',
            code: 'identity-irrelevant-label',
            message: `Cilium leaves the pod label ${a.key} out of security identities by default (identity-relevant labels), so "${showLiteral(l)}" is ${l.positive ? 'never' : 'always'} true in Cilium`
          })
        const r = labelRequirement(l, a, key, ctx, sink)
        if (r === undefined) return problem
        if (r === false) return none
        if (r !== true) reqs.push(r)
        continue
      }
      case 'entity':
        if (mode._tag !== 'peer' && subjectEntities.includes(a.entity)) {
          if (mode._tag === 'cnp') {
            if (l.positive) return none
            continue
          }
          reserved ||= l.positive
          reqs.push(l.positive ? { key: `reserved:${a.entity}`, operator: 'In', values: [''] } : { key: `reserved:${a.entity}`, operator: 'DoesNotExist' })
          continue
        }
        sink({ effect: 'missing', code: 'unsupported-selector', message: `a Cilium endpoint selector cannot express "${showLiteral(l)}"` })
        return problem
      default:
        sink({ effect: 'missing', code: 'unsupported-selector', message: `a Cilium endpoint selector cannot express "${showLiteral(l)}"` })
        return problem
    }
  }
  if (!namespaced && !reserved && mode._tag !== 'cnp') reqs.push({ key: namespaceKey, operator: 'Exists' })
  return { _tag: 'selector', reqs }
}

/**
 * The host (node) part of a conjunction: node-label requirements only (Cilium identifies nodes by
 * their labels, §2.4). `filtered`: the labels pass the identity-relevant filter (a `nodeSelector`'s
 * host endpoint does, `from/toNodes`' node labels do not, research/cilium.md §2.1).
 */
const hostPart = (c: ReadonlyArray<F.Literal>, filtered: boolean, ctx: Ctx, sink: Sink): Part => {
  const reqs: Array<Requirement> = []
  for (const l of c) {
    const a = l.atom
    if (a._tag === 'kind') continue
    if (a._tag === 'ipIn') {
      if (l.positive) return none
      continue
    }
    if (a._tag === 'label' && a.owner === 'node') {
      if (filtered && isIrrelevant(a.key))
        sink({
          effect: l.positive ? 'missing' : 'extra',
          code: 'identity-irrelevant-label',
          message: `Cilium's identity-relevant label filter drops the node label ${a.key} from host endpoint identities, so "${showLiteral(l)}" is ${l.positive ? 'never' : 'always'} true in a nodeSelector`
        })
      const r = labelRequirement(l, a, nodeKey(a.key), ctx, sink)
      if (r === undefined) return problem
      if (r === false) return none
      if (r !== true) reqs.push(r)
      continue
    }
    if (ctx.inventory !== undefined && !onSomeHost(c, ctx.inventory)) {
      sink({
        effect: 'exact-for-inventory',
        code: 'unsupported-host-selector',
        message: `host endpoints restricted by "${showLiteral(l)}" cannot be written (a Cilium node selector matches node labels only), and no host-network pod of the inventory is one`
      })
      return none
    }
    sink({
      effect: 'missing',
      code: 'unsupported-host-selector',
      message: `a Cilium node selector matches node labels only; host endpoints restricted by "${showLiteral(l)}" cannot be written${ctx.inventory === undefined ? ' (give --cluster to check whether any host-network pod is one)' : ''}`
    })
    return problem
  }
  return { _tag: 'selector', reqs }
}

/** Whether some host endpoint of the inventory (a host-network pod, seen with its pod, namespace and node labels) satisfies a conjunction. */
const onSomeHost = (c: ReadonlyArray<F.Literal>, inv: Inventory): boolean => {
  const nsLabels = new Map(inv.namespaces.map((n) => [n.name, n.labels]))
  const nodeLabels = new Map(inv.nodes.map((n) => [n.name, n.labels]))
  return inv.pods.some((p) => {
    if (!p.hostNetwork) return false
    const holds = (a: F.Atom): boolean => {
      switch (a._tag) {
        case 'label':
          return F.testLabel(
            a.owner === 'endpoint' ? p.labels : a.owner === 'namespace' ? nsLabels.get(p.namespace) : a.owner === 'node' && p.node !== undefined ? nodeLabels.get(p.node) : undefined,
            a.key,
            a.test
          )
        case 'namespace':
          return a.names.includes(p.namespace)
        case 'serviceAccount':
          return a.names.includes(p.serviceAccount)
        case 'kind':
          return a.kinds.includes('host')
        default:
          return false
      }
    }
    return c.every((l) => holds(l.atom) === l.positive)
  })
}

/** The addresses outside the cluster a conjunction admits (world endpoints carry no labels, namespace or service account). */
const worldPart = (c: ReadonlyArray<F.Literal>): C.CidrSet => {
  let s = C.all
  for (const l of c) {
    const a = l.atom
    if (a._tag === 'ipIn') s = l.positive ? C.intersect(s, a.cidrs) : C.difference(s, a.cidrs)
    else if (a._tag !== 'kind' && l.positive) return C.empty
  }
  return s
}

/** The kinds a simplified conjunction admits. */
const kindsOf = (c: ReadonlyArray<F.Literal>): ReadonlyArray<F.EndpointKind> =>
  c.reduce<ReadonlyArray<F.EndpointKind>>((ks, l) => (l.atom._tag === 'kind' ? ks.filter((k) => (l.atom as F.Kind).kinds.includes(k) === l.positive) : ks), F.endpointKinds)

const isSpecial = (a: F.Atom): a is F.Entity | F.Fqdn | F.Service => a._tag === 'entity' || a._tag === 'fqdn' || a._tag === 'service'

// -------------------------------------------------------------------------------------
// peers
// -------------------------------------------------------------------------------------

/** What one IR rule's peer becomes, merged over the DNF conjunctions. */
interface Peers {
  all: boolean
  readonly endpoints: Array<Selector>
  readonly nodes: Array<Selector>
  readonly entities: Set<string>
  cidrs: C.CidrSet
  readonly services: Array<Json>
  readonly fqdns: Array<Json>
}

interface PeerContext {
  readonly direction: Direction
  readonly action: 'allow' | 'deny'
  readonly ctx: Ctx
  readonly sink: Sink
  /** the peer is remote nodes only (`entity(remote-node)`), as from/toNodes select */
  readonly remoteOnly?: boolean
}

const serviceOf = (s: F.Service, pc: PeerContext): ReadonlyArray<Json> | undefined => {
  const ns = s.namespace === undefined ? {} : { namespace: s.namespace }
  if (s.name !== undefined) {
    if (s.selector !== undefined && s.selector._tag !== 'true') {
      pc.sink({ effect: 'missing', code: 'unsupported-service', message: `toServices cannot select a Service by name and labels at once (${F.show(s)})` })
      return undefined
    }
    return [{ k8sService: { serviceName: s.name, ...ns } }]
  }
  const out: Array<Json> = []
  for (const c of F.dnf(s.selector ?? F.tt)) {
    const reqs: Array<Requirement> = []
    for (const l of c) {
      const a = l.atom
      if (a._tag !== 'label' || a.owner !== 'endpoint') {
        pc.sink({ effect: 'missing', code: 'unsupported-service', message: `a toServices selector matches Service labels only, not "${showLiteral(l)}"` })
        return undefined
      }
      const r = labelRequirement(l, a, a.key, { ...pc.ctx, valuesOf: () => undefined }, pc.sink)
      if (r === undefined) return undefined
      if (r === false) break
      if (r !== true) reqs.push(r)
    }
    out.push({ k8sServiceSelector: { selector: selectorOf(reqs), ...ns } })
  }
  return out
}

/**
 * Entities that stand for endpoint kinds under the cilium model (research/cilium.md §3,
 * `src/semantics/cilium.ts`): `all` is everything, `world` the external addresses (the Go-only
 * `world-ipv4`/`world-ipv6`: of one family), `cluster` pods and host endpoints.
 */
const neutralEntity = (e: string): F.Formula | undefined => {
  switch (e) {
    case 'all':
      return F.tt
    case 'none':
      return F.ff
    case 'world':
      return F.kind(['world'])
    case 'world-ipv4':
      return F.and(F.kind(['world']), F.ipIn(C.allV4))
    case 'world-ipv6':
      return F.and(F.kind(['world']), F.ipIn(C.allV6))
    case 'cluster':
      return F.kind(['pod', 'host'])
    default:
      return undefined
  }
}

const isCrdEntity = (e: string): boolean => (ciliumEntities as ReadonlyArray<string>).includes(e)

/** An entity, DNS name or Service standing alone. */
const standalonePeer = (a: F.Entity | F.Fqdn | F.Service, into: Peers, pc: PeerContext): void => {
  if (a._tag === 'entity') {
    if (a.entity === 'all') into.all = true
    else if (a.entity !== 'none') into.entities.add(a.entity)
    return
  }
  if (a._tag === 'fqdn') {
    if (pc.direction !== 'egress' || pc.action !== 'allow') {
      pc.sink({
        effect: 'missing',
        code: 'unsupported-fqdn',
        message: `DNS name peers (${F.show(a)}) exist only in Cilium egress allow rules (no ingress, no deny form); left out`
      })
      return
    }
    const ok = a.match === 'name' ? E.isRight(MatchName.decode(a.value)) : E.isRight(MatchPattern.decode(a.value))
    if (!ok) {
      pc.sink({ effect: 'missing', code: 'unsupported-fqdn', message: `${F.show(a)} is not a valid Cilium ${a.match === 'name' ? 'matchName' : 'matchPattern'}` })
      return
    }
    into.fqdns.push(a.match === 'name' ? { matchName: a.value } : { matchPattern: a.value })
    return
  }
  if (pc.direction !== 'egress' || pc.action !== 'allow') {
    pc.sink({
      effect: 'missing',
      code: 'unsupported-service',
      message: `Service peers (${F.show(a)}) are expanded by Cilium in egress allow rules only (https://docs.cilium.io/en/stable/security/policy/language/, "Services based"); left out`
    })
    return
  }
  const s = serviceOf(a, pc)
  if (s !== undefined) into.services.push(...s)
}

/** Does the own node (the subject's) satisfy a node-label conjunction on every, no or some inventory node? */
const ownNodeCoverage = (reqs: ReadonlyArray<F.Literal>, inv: Inventory | undefined): 'all' | 'none' | 'some' | undefined => {
  if (inv === undefined) return undefined
  const holds = inv.nodes.map((n) =>
    reqs.every((l) => {
      const a = l.atom
      return a._tag !== 'label' || F.testLabel(n.labels, a.key, a.test) === l.positive
    })
  )
  return holds.every((h) => h) && holds.length > 0 ? 'all' : holds.every((h) => !h) ? 'none' : 'some'
}

/**
 * `fromNodes`/`toNodes` add `reserved:remote-node` (research/cilium.md §2.4), so they never match
 * the subject's own node: exact for a peer of remote nodes only (`entity(remote-node)`, as the
 * parser writes them) and for ingress allow (the own node is allowed anyway, allow-localhost,
 * §4.7); otherwise the own node is added as the `host` entity when every inventory node matches,
 * is irrelevant when none does, and is reported when that cannot be decided.
 */
const nodePeer = (c: ReadonlyArray<F.Literal>, sel: Selector, into: Peers, pc: PeerContext): void => {
  into.nodes.push(sel)
  pc.sink({
    effect: 'exact',
    code: 'node-selector-labels',
    message: 'node peers select by node labels, which Cilium puts on node identities only with the agent flag enable-node-selector-labels=true'
  })
  if (pc.remoteOnly === true || (pc.direction === 'ingress' && pc.action === 'allow')) return
  const cover = ownNodeCoverage(
    c.filter((l) => l.atom._tag === 'label'),
    pc.ctx.inventory
  )
  if (cover === 'all') {
    into.entities.add('host')
    pc.sink({ effect: 'exact-for-inventory', code: 'own-node', message: 'every node of the inventory matches the node selector, so the own node (which toNodes/fromNodes never match) is added as the host entity' })
  } else if (cover === 'none')
    pc.sink({ effect: 'exact-for-inventory', code: 'own-node', message: 'no node of the inventory matches the node selector, so it does not matter that toNodes/fromNodes never match the own node' })
  else
    pc.sink({
      effect: 'missing',
      code: 'own-node',
      message: `Cilium's ${pc.direction === 'ingress' ? 'fromNodes' : 'toNodes'} never matches the subject's own node (it requires reserved:remote-node), which the rule's node selector may match${cover === undefined ? ' (give --cluster to decide it from the nodes)' : ''}`
    })
}

/** One DNF conjunction of a peer, added to `into` (module comment, "Peers"). */
const conjunctionPeer = (c: ReadonlyArray<F.Literal>, into: Peers, pc: PeerContext): void => {
  if (c.length === 0) {
    into.all = true
    return
  }
  const [first] = c
  const show = (): string => F.show(F.and(...c.map(F.literal)))
  if (c.some((l) => isSpecial(l.atom))) {
    if (c.length === 1 && first !== undefined && first.positive && isSpecial(first.atom) && (first.atom._tag !== 'entity' || isCrdEntity(first.atom.entity)))
      return standalonePeer(first.atom, into, pc)
    // entities that are kinds under the model combine like kinds
    if (c.some((l) => l.atom._tag === 'entity' && neutralEntity(l.atom.entity) !== undefined)) {
      const g = F.and(...c.map((l) => F.mapAtoms(F.literal(l), (a) => (a._tag === 'entity' ? (neutralEntity(a.entity) ?? a) : a))))
      for (const d of F.dnf(g)) conjunctionPeer(d, into, pc)
      return
    }
    // remote nodes by node labels: exactly fromNodes/toNodes (research/cilium.md §2.4)
    const special = c.filter((l) => isSpecial(l.atom))
    const [s] = special
    if (special.length === 1 && s !== undefined && s.positive && s.atom._tag === 'entity' && s.atom.entity === 'remote-node') {
      if (!kindsOf(c).includes('host')) return
      const p = hostPart(
        c.filter((l) => l !== s),
        false,
        pc.ctx,
        pc.sink
      )
      if (p._tag !== 'selector') return
      if (p.reqs.length === 0) into.entities.add('remote-node')
      else nodePeer(c, selectorOf(p.reqs), into, { ...pc, remoteOnly: true })
      return
    }
    if (c.length === 1 && first !== undefined && first.positive && first.atom._tag === 'entity')
      pc.sink({ effect: 'missing', code: 'unsupported-entity', message: `${first.atom.entity} is not an entity a CiliumNetworkPolicy may name` })
    else
      pc.sink({
        effect: 'missing',
        code: 'unsupported-peer',
        message: `a Cilium rule cannot combine an entity, DNS name or Service with other conditions: "${show()}"`
      })
    return
  }
  const kinds = kindsOf(c)
  const positiveIp = c.some((l) => l.positive && l.atom._tag === 'ipIn')
  if (
    positiveIp &&
    c.some((l) => l.positive && (l.atom._tag === 'label' || l.atom._tag === 'namespace' || l.atom._tag === 'serviceAccount' || (l.atom._tag === 'kind' && !kinds.includes('world'))))
  )
    pc.sink({
      effect: 'missing',
      code: 'unsupported-peer',
      message: `a Cilium rule cannot combine an address range with endpoint conditions (toCIDRSet matches only addresses outside the cluster): "${show()}" is left out`
    })
  if (kinds.includes('pod')) {
    const p = podPart(c, { _tag: 'peer' }, pc.ctx, pc.sink)
    if (p._tag === 'selector') into.endpoints.push(selectorOf(p.reqs))
  }
  if (kinds.includes('host')) {
    const p = hostPart(c, false, pc.ctx, pc.sink)
    if (p._tag === 'selector') {
      if (p.reqs.length === 0) {
        into.entities.add('host')
        into.entities.add('remote-node')
      } else nodePeer(c, selectorOf(p.reqs), into, pc)
    }
  }
  if (kinds.includes('world')) into.cidrs = C.union(into.cidrs, worldPart(c))
}

const peersOf = (peer: F.Formula, pc: PeerContext): Peers => {
  const out: Peers = { all: false, endpoints: [], nodes: [], entities: new Set(), cidrs: C.empty, services: [], fqdns: [] }
  for (const c of F.dnf(peer)) conjunctionPeer(c, out, pc)
  if (C.isAll(out.cidrs)) {
    out.entities.add('world')
    out.cidrs = C.empty
  }
  if (out.entities.has('world')) out.cidrs = C.empty
  return out
}

const dedupe = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => {
  const seen = new Set<string>()
  return xs.filter((x) => {
    const k = JSON.stringify(x)
    return seen.has(k) ? false : (seen.add(k), true)
  })
}

/** The peer fields of one rule element each: one peer kind per element (§1.3); `undefined` is the wildcard (no peer field). */
const peerFields = (p: Peers, d: Direction): ReadonlyArray<Json | undefined> => {
  if (p.all) return [undefined]
  const name = (ingress: string, egress: string): string => (d === 'ingress' ? ingress : egress)
  const out: Array<Json> = []
  if (p.endpoints.length > 0) out.push({ [name('fromEndpoints', 'toEndpoints')]: dedupe(p.endpoints) })
  if (p.nodes.length > 0) out.push({ [name('fromNodes', 'toNodes')]: dedupe(p.nodes) })
  if (p.entities.size > 0) out.push({ [name('fromEntities', 'toEntities')]: [...p.entities].sort() })
  if (!C.isEmpty(p.cidrs))
    out.push({ [name('fromCIDRSet', 'toCIDRSet')]: C.toBlocks(p.cidrs).map((b) => (b.except.length === 0 ? { cidr: b.cidr } : { cidr: b.cidr, except: b.except })) })
  if (p.services.length > 0) out.push({ toServices: dedupe(p.services) })
  if (p.fqdns.length > 0) out.push({ toFQDNs: dedupe(p.fqdns) })
  return out
}

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

interface PortEntry {
  readonly port: string
  readonly endPort?: number
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'ANY'
}

interface IcmpField {
  readonly family: 'IPv4' | 'IPv6'
  readonly type: number
}

interface L4 {
  /** every protocol: no toPorts, no icmps */
  readonly all: boolean
  readonly ports: ReadonlyArray<PortEntry>
  readonly icmps: ReadonlyArray<IcmpField>
}

const portProtocols: ReadonlyArray<readonly [number, 'TCP' | 'UDP' | 'SCTP']> = [
  [P.TCP, 'TCP'],
  [P.UDP, 'UDP'],
  [P.SCTP, 'SCTP']
]

const icmpFamilies: ReadonlyArray<readonly [1 | 58, 'IPv4' | 'IPv6']> = [
  [P.ICMP, 'IPv4'],
  [P.ICMPV6, 'IPv6']
]

/** ICMP types wholly in the ranges (type × 256 + code), and those only partly in them. */
const icmpTypes = (ranges: ReadonlyArray<readonly [number, number]>): { readonly whole: ReadonlyArray<number>; readonly partial: ReadonlyArray<number> } => {
  const whole: Array<number> = []
  const partial: Array<number> = []
  for (let t = 0; t < 256; t++) {
    const lo = t * 256
    const hi = lo + 255
    let covered = 0
    for (const [a, b] of ranges) covered += Math.max(0, Math.min(b, hi) - Math.max(a, lo) + 1)
    if (covered === 256) whole.push(t)
    else if (covered > 0) partial.push(t)
  }
  return { whole, partial }
}

const l4Of = (ps: P.PortSet, action: 'allow' | 'deny', sink: Sink): L4 => {
  if (P.isAll(ps)) return { all: true, ports: [], icmps: [] }
  const ports: Array<PortEntry> = []
  for (const [proto, name] of portProtocols) {
    if (P.isWholeProtocol(ps, proto)) ports.push({ port: '0', protocol: name })
    else for (const [lo, hi] of P.rangesOf(ps, proto)) ports.push(lo === hi ? { port: String(lo), protocol: name } : { port: String(lo), endPort: hi, protocol: name })
  }
  for (const n of ps.named) {
    const name = n.protocol === undefined ? 'ANY' : portProtocols.find(([p]) => p === n.protocol)?.[1]
    if (name === undefined) {
      sink({ effect: 'missing', code: 'unsupported-protocol', message: `named port ${n.name} on protocol ${P.protocolName(n.protocol ?? 0)} cannot be written in a Cilium rule` })
      continue
    }
    if (!isServiceName(n.name)) {
      sink({ effect: 'missing', code: 'unsupported-port', message: `${JSON.stringify(n.name)} is not a port name Cilium accepts (1-15 letters, digits and '-', with a letter)` })
      continue
    }
    if (n.name !== n.name.toLowerCase())
      sink({ effect: 'extra', code: 'port-name-case', message: `Cilium lower-cases port names, so ${n.name} also matches ${n.name.toLowerCase()}` })
    ports.push({ port: n.name.toLowerCase(), protocol: name })
  }
  const icmps: Array<IcmpField> = []
  for (const [proto, family] of icmpFamilies) {
    const { whole, partial } = icmpTypes(P.rangesOf(ps, proto))
    if (whole.length === 256) {
      icmps.push(...whole.map((type) => ({ family, type })))
      continue
    }
    const label = family === 'IPv4' ? 'ICMP' : 'ICMPv6'
    // type 0 becomes port "0", which Cilium reads as every type of the family (ICMPField.PortProtocol)
    const zero = whole.includes(0) || partial.includes(0)
    if (zero) {
      if (action === 'deny') icmps.push({ family, type: 0 })
      sink({
        effect: action === 'deny' ? 'extra' : 'missing',
        code: 'icmp-type-0',
        message: `Cilium writes ${label} type 0 as port 0, which it reads as every ${label} type (pkg/policy/api/icmp.go, source-derived): ${action === 'deny' ? `the deny covers every ${label} type` : 'type 0 is left out'}`
      })
      if (action === 'deny') continue
    }
    icmps.push(...whole.filter((t) => t !== 0).map((type) => ({ family, type })))
    const partly = partial.filter((t) => t !== 0)
    if (partly.length > 0) {
      // lean towards allowing less: an allow leaves the partial types out, a deny takes them whole
      if (action === 'deny') icmps.push(...partly.map((type) => ({ family, type })))
      sink({
        effect: action === 'deny' ? 'extra' : 'missing',
        code: 'icmp-code',
        message: `Cilium matches ${label} by type only, not by code: type${partly.length === 1 ? '' : 's'} ${partly.join(', ')} ${partly.length === 1 ? 'is' : 'are'} ${action === 'deny' ? 'denied whole' : 'left out'}`
      })
    }
  }
  icmps.sort((a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : a.type - b.type))
  const known = [P.TCP, P.UDP, P.SCTP, P.ICMP, P.ICMPV6]
  if (ps.rest || ps.listed.some((e) => !known.includes(e.protocol) && e.ports.length > 0)) {
    const ours = known.reduce((acc, p) => P.union(acc, P.protocol(p)), P.empty)
    const others = P.difference({ ...ps, named: [] }, ours)
    sink({
      effect: 'missing',
      code: 'unsupported-protocol',
      message: `a Cilium rule matches TCP, UDP, SCTP, ICMP and ICMPv6 (or every protocol at once); ${E.isRight(others) ? P.show(others.right) : 'other protocols'} is not carried over`
    })
  }
  return { all: false, ports, icmps }
}

const chunks = <A>(xs: ReadonlyArray<A>, n: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n))
  return out
}

const portJson = (e: PortEntry): Json => (e.endPort === undefined ? { port: e.port, protocol: e.protocol } : { port: e.port, endPort: e.endPort, protocol: e.protocol })

// -------------------------------------------------------------------------------------
// L7
// -------------------------------------------------------------------------------------

/** POSIX ERE / RE2 metacharacters escaped, so a literal matches itself. */
const escapeRegex = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`)

/** Cilium's HTTP `path` is a regular expression matched against the whole path. */
const pathRegex = (p: HttpPath): string => (p._tag === 'exact' ? escapeRegex(p.value) : p._tag === 'prefix' ? `${escapeRegex(p.value)}.*` : p.value)

const httpRules = (rules: ReadonlyArray<HttpRule>, sink: Sink): ReadonlyArray<Json> =>
  rules.flatMap((r) => {
    if (r.methods.length > 0 && r.methodRegex !== undefined)
      sink({ effect: 'extra', code: 'l7-http-method', message: `an HTTP rule cannot require both a method list and the method pattern ${r.methodRegex}; the pattern is dropped` })
    const methods: ReadonlyArray<string | undefined> = r.methods.length > 0 ? r.methods.map(escapeRegex) : [r.methodRegex]
    const paths: ReadonlyArray<string | undefined> = r.paths.length > 0 ? r.paths.map(pathRegex) : [undefined]
    return methods.flatMap((method) =>
      paths.map((path) => ({
        ...(path === undefined ? {} : { path }),
        ...(method === undefined ? {} : { method }),
        ...(r.host === undefined ? {} : { host: r.host }),
        ...(r.headers.length === 0 ? {} : { headers: r.headers })
      }))
    )
  })

const kafkaKeys = new Set(['role', 'apiKey', 'apiVersion', 'clientID', 'topic'])

/** The `rules` object of a PortRule, or undefined (reported) when it cannot be written. */
const l7Rules = (l7: L7, sink: Sink): Json | undefined => {
  switch (l7._tag) {
    case 'http':
      return { http: httpRules(l7.rules, sink) }
    case 'dns': {
      const bad = l7.rules.find((r) => (r.match === 'name' ? E.isLeft(MatchName.decode(r.value)) : E.isLeft(MatchPattern.decode(r.value))))
      if (bad !== undefined) {
        sink({ effect: 'extra', code: 'l7-dropped', message: `${JSON.stringify(bad.value)} is not a valid Cilium DNS ${bad.match === 'name' ? 'matchName' : 'matchPattern'}; the DNS constraint is dropped` })
        return undefined
      }
      return { dns: l7.rules.map((r) => (r.match === 'name' ? { matchName: r.value } : { matchPattern: r.value })) }
    }
    case 'kafka': {
      const bad = l7.rules.flatMap((r) => Object.keys(r)).find((k) => !kafkaKeys.has(k))
      if (bad !== undefined) {
        sink({ effect: 'extra', code: 'l7-dropped', message: `Cilium Kafka rules have no ${bad} field; the Kafka constraint is dropped` })
        return undefined
      }
      return { kafka: l7.rules }
    }
    case 'generic':
      return l7.rules.length === 0 ? { l7proto: l7.protocol } : { l7proto: l7.protocol, l7: l7.rules }
  }
}

/**
 * The same port on TCP, UDP and SCTP as one `ANY` entry (which DNS rules accept, §1.4), the other
 * entries as they are, in their order.
 */
const anyOf = (entries: ReadonlyArray<PortEntry>): ReadonlyArray<PortEntry> => {
  const key = (e: PortEntry): string => `${e.port}/${e.endPort ?? ''}`
  const protocolsOf = new Map<string, Set<string>>()
  for (const e of entries) protocolsOf.set(key(e), (protocolsOf.get(key(e)) ?? new Set()).add(e.protocol))
  const everywhere = (e: PortEntry): boolean => {
    const ps = protocolsOf.get(key(e))
    return ps !== undefined && (ps.has('ANY') || portProtocols.every(([, name]) => ps.has(name)))
  }
  const out: Array<PortEntry> = []
  const done = new Set<string>()
  for (const e of entries) {
    if (!everywhere(e)) out.push(e)
    else if (!done.has(key(e))) {
      done.add(key(e))
      out.push({ ...e, protocol: 'ANY' })
    }
  }
  return out
}

/** The toPorts of an element: L7 on the ports that may carry it, the other ports plain (reported). */
const toPortsOf = (r: Rule, l4: L4, d: Direction, hostSubject: boolean, sink: Sink): ReadonlyArray<Json> => {
  const plain = (entries: ReadonlyArray<PortEntry>): ReadonlyArray<Json> => chunks(entries, maxPorts).map((ps) => ({ ports: ps.map(portJson) }))
  const l7 = r.l7
  if (l7 === undefined) return plain(l4.ports)
  const drop = (why: string): ReadonlyArray<Json> => {
    sink({ effect: 'extra', code: 'l7-dropped', message: `the ${l7._tag} constraint is dropped: ${why}` })
    return plain(l4.ports)
  }
  if (r.action === 'deny') return drop('Cilium deny rules have no L7 form, so the rule denies every request on its ports')
  if (l4.all) return drop('Cilium attaches L7 rules to listed ports only, and this rule matches every port')
  const dns = l7._tag === 'dns'
  if (hostSubject && (d === 'ingress' || !dns)) return drop(`Cilium host policies support no ${d === 'ingress' ? 'L7 rules on ingress' : `${l7._tag} rules`}`)
  if (dns && d === 'ingress') return drop('Cilium has no DNS rules on ingress')
  const rules = l7Rules(l7, sink)
  if (rules === undefined) return plain(l4.ports)
  // non-DNS L7 needs explicit TCP ports; DNS also takes UDP, but no port ranges; never port 0 (§1.4)
  const carries = (e: PortEntry): boolean => e.port !== '0' && (dns ? e.endPort === undefined && e.protocol !== 'SCTP' : e.protocol === 'TCP')
  const expanded = dns ? anyOf(l4.ports) : l4.ports.flatMap((e): ReadonlyArray<PortEntry> => (e.protocol === 'ANY' ? portProtocols.map(([, protocol]) => ({ ...e, protocol })) : [e]))
  const withL7 = expanded.filter(carries)
  const without = expanded.filter((e) => !carries(e))
  if (without.length > 0 || l4.icmps.length > 0) {
    const what = [...without.map((e) => `${e.protocol}/${e.port === '0' ? '*' : e.endPort === undefined ? e.port : `${e.port}-${e.endPort}`}`), ...(l4.icmps.length > 0 ? ['ICMP'] : [])]
    sink({
      effect: 'extra',
      code: 'l7-dropped',
      message: `the ${l7._tag} constraint applies in Cilium only to ${dns ? 'single TCP or UDP ports' : 'explicit TCP ports'}; ${what.join(', ')} ${what.length === 1 ? 'is' : 'are'} allowed without it`
    })
  }
  return [...chunks(withL7, maxPorts).map((ps) => ({ ports: ps.map(portJson), rules })), ...plain(without)]
}

// -------------------------------------------------------------------------------------
// rules and directions
// -------------------------------------------------------------------------------------

/** The Cilium rule elements of one IR rule (allow or deny). */
const elementsOf = (r: Rule & { readonly action: 'allow' | 'deny' }, d: Direction, hostSubject: boolean, ctx: Ctx, sink: Sink): ReadonlyArray<Json> => {
  if (P.isEmpty(r.ports)) return []
  const fields = peerFields(peersOf(r.peer, { direction: d, action: r.action, ctx, sink }), d)
  if (fields.length === 0) return []
  const l4 = l4Of(r.ports, r.action, sink)
  const toPorts = toPortsOf(r, l4, d, hostSubject, sink)
  const icmps = chunks(l4.icmps, maxICMPFields).map((fields) => ({ fields }))
  const out: Array<Json> = []
  for (const field of fields) {
    if (l4.all) {
      out.push(field ?? { [d === 'ingress' ? 'fromEntities' : 'toEntities']: ['all'] })
      continue
    }
    if (toPorts.length > 0) out.push({ ...field, toPorts })
    if (icmps.length > 0) out.push({ ...field, icmps })
  }
  return out
}

interface Located {
  readonly finding: Finding
  readonly action: Judged
  readonly location: D.Location | undefined
  /** Where to comment: the element's path within the rule, or the direction's key when nothing was written. */
  readonly path: Path
  readonly written: boolean
}

interface Body {
  /** Rule fields in output order, or undefined when the policy governs no direction Cilium can write. */
  readonly fields: Json | undefined
  readonly findings: ReadonlyArray<Located>
}

const bodyOf = (p: Policy, hostSubject: boolean, ctx: Ctx): Body => {
  const findings: Array<Located> = []
  const fields: Record<string, unknown> = {}
  const noDefaultDeny: Record<string, boolean> = {}
  let governed = false
  for (const d of ['ingress', 'egress'] as const) {
    const dr: DirectionRules | undefined = d === 'ingress' ? p.ingress : p.egress
    if (dr === undefined) continue
    const allow: Array<Json> = []
    const deny: Array<Json> = []
    const pending: Array<{ readonly f: Finding; readonly r: Rule; readonly list: 'allow' | 'deny'; readonly first: number; readonly written: boolean }> = []
    for (const r of dr.rules) {
      if (r.action === 'log') {
        findings.push({
          finding: { effect: 'exact', code: 'log-dropped', message: 'a Log rule does not change reachability and has no Cilium equivalent; it is left out' },
          action: undefined,
          location: r.location ?? p.origin.location,
          path: [d],
          written: false
        })
        continue
      }
      if (r.action === 'pass') continue // reported per policy
      const action = r.action
      const list = action === 'allow' ? allow : deny
      const local: Array<Finding> = []
      const els = elementsOf({ ...r, action }, d, hostSubject, ctx, (f) => local.push(f))
      const first = list.length
      list.push(...els)
      for (const f of local) pending.push({ f, r, list: action, first, written: els.length > 0 })
    }
    if (allow.length === 0 && deny.length === 0) {
      if (!dr.defaultDeny) {
        findings.push({
          finding: {
            effect: 'exact',
            code: 'no-effect',
            message: `${d} is not default-deny and has no rule left to write, so it changes nothing and is left ungoverned`
          },
          action: undefined,
          location: p.origin.location,
          path: [],
          written: false
        })
        for (const x of pending) findings.push({ finding: x.f, action: x.r.action === 'deny' ? 'deny' : 'allow', location: x.r.location ?? p.origin.location, path: [], written: false })
        continue
      }
      allow.push({})
    }
    governed = true
    const allowKey = d
    const denyKey = d === 'ingress' ? 'ingressDeny' : 'egressDeny'
    if (allow.length > 0) fields[allowKey] = allow
    if (deny.length > 0) fields[denyKey] = deny
    if (!dr.defaultDeny) noDefaultDeny[d] = false
    for (const x of pending) {
      const key = x.list === 'allow' ? allowKey : denyKey
      findings.push({
        finding: x.f,
        action: x.list,
        location: x.r.location ?? p.origin.location,
        path: x.written ? [key, x.first] : [x.list === 'allow' ? (allow.length > 0 ? allowKey : denyKey) : deny.length > 0 ? denyKey : allowKey],
        written: x.written
      })
    }
  }
  if (Object.keys(noDefaultDeny).length > 0) fields.enableDefaultDeny = noDefaultDeny
  return { fields: governed ? fields : undefined, findings }
}

// -------------------------------------------------------------------------------------
// policies
// -------------------------------------------------------------------------------------

/**
 * Whether ordered (Calico) policies mean the same as their union: every policy in one tier whose
 * default action is deny, every rule an allow or a log (then first-match is the union and the
 * end-of-tier drop is default deny). Otherwise their order must have been compiled away.
 */
const orderIsUnion = (set: PolicySet): boolean => {
  const tiers = new Set(set.policies.flatMap((p) => (p.ordering === undefined ? [] : [p.ordering.tier])))
  if (tiers.size === 0) return true
  const [only] = [...tiers]
  if (tiers.size > 1 || only === undefined || set.tiers.some((t) => t.name === only && t.defaultAction !== 'deny')) return false
  return set.policies.every((p) => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])].every((r) => r.action === 'allow' || r.action === 'log'))
}

interface SubjectRule {
  readonly key: 'endpointSelector' | 'nodeSelector'
  readonly selector: Selector
}

const subjectRules = (p: Policy, ctx: Ctx, sink: Sink): ReadonlyArray<SubjectRule> => {
  const out: Array<SubjectRule> = []
  const cluster = p.scope._tag === 'cluster'
  for (const c of F.dnf(p.subject)) {
    const bad = c.find((l) => (isSpecial(l.atom) && !(l.atom._tag === 'entity' && subjectEntities.includes(l.atom.entity))) || l.atom._tag === 'ipIn')
    if (bad !== undefined) {
      sink({ effect: 'unsupported', code: 'unsupported-subject', message: `a Cilium rule selects its subjects by labels only, not by "${showLiteral(bad)}"` })
      continue
    }
    const kinds = kindsOf(c)
    if (kinds.includes('pod')) {
      const part = podPart(c, p.scope._tag === 'namespace' ? { _tag: 'cnp', namespace: p.scope.namespace } : { _tag: 'ccnp' }, ctx, sink)
      if (part._tag === 'selector') out.push({ key: 'endpointSelector', selector: selectorOf(part.reqs) })
    }
    if (kinds.includes('host')) {
      if (!cluster) {
        sink({
          effect: 'unsupported',
          code: 'unsupported-subject',
          message: 'a CiliumNetworkPolicy applies to pods only; host endpoints need a cluster-scoped policy with a nodeSelector'
        })
        continue
      }
      const part = hostPart(c, true, ctx, sink)
      if (part._tag === 'selector') {
        out.push({ key: 'nodeSelector', selector: selectorOf(part.reqs) })
        sink({ effect: 'exact', code: 'host-policy', message: 'host endpoints are written as a nodeSelector host policy, which Cilium enforces only with hostFirewall.enabled' })
      }
    }
  }
  // pods first, then hosts; each in DNF order
  return dedupe([...out.filter((s) => s.key === 'endpointSelector'), ...out.filter((s) => s.key === 'nodeSelector')])
}

/** A copy sharing no node: elements reuse peer lists, port lists and rule bodies, which YAML would write as anchors and aliases. */
const unshared = <A>(v: A): A => {
  if (Array.isArray(v)) return v.map(unshared) as A
  if (typeof v !== 'object' || v === null) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = unshared(x)
  return out as A
}

const isPass = (p: Policy): boolean => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])].some((r) => r.action === 'pass')

export const emit = (set: PolicySet, options: EmitOptions): EmitOutput => {
  const ctx = contextOf(options.inventory)
  const objects: Array<Emitted> = []
  const diagnostics: Array<D.Diagnostic> = []
  const seen = new Set<string>()
  const report = (f: Finding, action: Judged, location: D.Location | undefined): D.Fidelity => {
    const fidelity = fidelityOf(f.effect, action)
    const d = D.loss(fidelity, f.code, f.message, location)
    const k = D.render(d)
    if (!seen.has(k)) {
      seen.add(k)
      diagnostics.push(d)
    }
    return fidelity
  }
  const ordered = !orderIsUnion(set)
  /** The origin's name, or `name-2`, `name-3`, … when an earlier object of the same kind and namespace took it (dialects/names.ts). */
  const uniqueName = namer(
    new Set(
      set.policies.map((p) =>
        p.scope._tag === 'namespace' ? nameKey('CiliumNetworkPolicy', p.scope.namespace, fitName(p.origin.name)) : nameKey('CiliumClusterwideNetworkPolicy', undefined, fitName(p.origin.name))
      )
    )
  )
  for (const p of set.policies) {
    const loc = p.origin.location
    if ((ordered && p.ordering !== undefined) || isPass(p)) {
      report(
        {
          effect: 'unsupported',
          code: 'ordered-policy',
          message: `${p.origin.kind} ${qualifiedName(p.origin)} ${isPass(p) ? 'has Pass rules' : `is evaluated in tier order (tier ${p.ordering?.tier ?? ''}, order ${p.ordering?.order ?? 'none'}) alongside Deny, Pass or other tiers`}; Cilium policies have no order, and this order was not compiled away before emitting, so it is left out`
        },
        undefined,
        loc
      )
      continue
    }
    const subjectFindings: Array<Finding> = []
    const subjects = subjectRules(p, ctx, (f) => subjectFindings.push(f))
    const subjectFidelities = subjectFindings.map((f) => report(f, undefined, loc))
    if (subjects.length === 0) {
      if (subjectFindings.length === 0) report({ effect: 'exact', code: 'empty-subject', message: `${qualifiedName(p.origin)} selects no endpoint and is left out` }, undefined, loc)
      continue
    }
    const bodies = new Map<boolean, Body>()
    const bodyFor = (host: boolean): Body => {
      const hit = bodies.get(host)
      if (hit !== undefined) return hit
      const b = bodyOf(p, host, ctx)
      bodies.set(host, b)
      return b
    }
    const rules: Array<Json> = []
    const comments: Array<Comment> = []
    const written = subjects.flatMap((s) => {
      const body = bodyFor(s.key === 'nodeSelector')
      return body.fields === undefined ? [] : [{ s, body, fields: body.fields }]
    })
    const single = written.length === 1
    written.forEach(({ s, body, fields }) => {
      const prefix: Path = single ? ['spec'] : ['specs', rules.length]
      for (const x of body.findings) {
        const fidelity = report(x.finding, x.action, x.location)
        if (fidelity === 'exact' || x.path.length === 0) continue
        comments.push({
          path: [...prefix, ...x.path],
          text: ` netpolx: ${fidelity}: ${x.written ? '' : 'rule left out: '}${x.finding.message}`
        })
      }
      rules.push({ [s.key]: s.selector, ...fields })
    })
    if (rules.length === 0) {
      // every direction empty: Cilium rejects a rule without ingress/egress (research/cilium.md §1.2)
      for (const b of bodies.values()) for (const x of b.findings) report(x.finding, x.action, x.location)
      report(
        {
          effect: 'exact',
          code: 'empty-policy',
          message: `${p.origin.kind} ${qualifiedName(p.origin)} governs no direction, so it has no effect; Cilium rejects a rule without ingress or egress, so it is left out`
        },
        undefined,
        loc
      )
      continue
    }
    const kind = p.scope._tag === 'namespace' ? 'CiliumNetworkPolicy' : 'CiliumClusterwideNetworkPolicy'
    const namespace = p.scope._tag === 'namespace' ? p.scope.namespace : undefined
    const metadata: Record<string, unknown> = { name: uniqueName(kind, namespace, p.origin.name), ...(namespace === undefined ? {} : { namespace }) }
    if (p.origin.labels !== undefined && Object.keys(p.origin.labels).length > 0) metadata.labels = p.origin.labels
    if (p.origin.annotations !== undefined && Object.keys(p.origin.annotations).length > 0) metadata.annotations = p.origin.annotations
    const lossySubject = subjectFindings.filter((_, i) => subjectFidelities[i] !== 'exact')
    for (const f of lossySubject) comments.push({ path: single ? ['spec'] : ['specs'], text: ` netpolx: ${fidelityOf(f.effect, undefined)}: ${f.message}` })
    const object: KubeObject = { apiVersion: 'cilium.io/v2', kind, metadata, ...(single ? { spec: rules[0] } : { specs: rules }) }
    objects.push({ object: unshared(object), comments: dedupe(comments) })
  }
  return { objects, diagnostics }
}
