/**
 * Cilium label keys and EndpointSelectors → IR formulas, with Cilium's implicit scoping made
 * explicit (research/cilium.md §2; upstream `pkg/labels`, `pkg/labelsfilter`,
 * `pkg/k8s/apis/cilium.io/utils/utils.go` at devodev/cilium 26d721f0fe).
 *
 * Keys (`parseKey`, Cilium's `parseSource`, §2.2): `src:key` has source `src`; a leading `$` or a
 * `reserved.` prefix without colon is source `reserved`; any other key has source `any`.
 *
 * What an identity carries (§2.1, §3): a pod has its own labels (source `k8s`), except those
 * the default identity-relevant label filter drops (`pkg/labelsfilter` `defaultLabelPrefixCfg`),
 * plus `io.kubernetes.pod.namespace`, `io.cilium.k8s.namespace.labels.<k>`,
 * `io.cilium.k8s.policy.serviceaccount` and `io.cilium.k8s.policy.cluster`; reserved identities
 * carry `reserved:<name>` with an empty value. So, on a pod-label key (`k8s:` or `any:`):
 * - `io.kubernetes.pod.namespace` is the namespace name (`F.inNamespace`; exists = every pod);
 * - `io.cilium.k8s.namespace.labels.K` is the namespace's label K;
 * - `io.cilium.k8s.policy.serviceaccount` is the service account (`F.serviceAccount`);
 * - `io.cilium.k8s.policy.cluster` is compared with the cluster name `default` (warning);
 * - any other `io.cilium.k8s…` key, an identity-irrelevant key, or a key of another source
 *   (`container:`, `cidr:`, …) is evaluated as absent (warning);
 * - `reserved:X` is the entity X (`F.entity`).
 *
 * Peer selectors (`endpointSelector` with role `peer`, §2.4 `getEndpointSelector`): a selector
 * with a reserved key is left alone; otherwise, unless the namespace key is mentioned, a CNP adds
 * its namespace (unless a namespace-label key is mentioned) and a CCNP adds "namespace exists"
 * (unless its subject selects `reserved:init`); and, unless the cluster key is mentioned, the local
 * cluster is required (`policy-default-local-cluster`, default on since 1.19). Every one of these
 * additions restricts the selector to pods, which is how the IR writes them.
 *
 * Node selectors: `nodeSelector` (host policies) selects host endpoints by node labels (source
 * `k8s`, filtered like pod labels: `Endpoint.InitWithNodeLabels`); `fromNodes`/`toNodes` select
 * remote nodes by node labels (source `node`, not filtered by default) plus
 * `reserved:remote-node` (§2.4).
 */
import type { Path } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Fidelity } from '../../src/diagnostics.js'
import type { LabelSelector } from '../kube.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A selector key split into Cilium's label source and the key proper. */
export interface LabelKey {
  readonly source: string
  readonly key: string
}

/** Something worth reporting about a selector, at a path relative to the selector. */
export interface Finding {
  readonly severity: 'warning' | 'info'
  readonly code: string
  readonly message: string
  readonly path: Path
  readonly fidelity: Fidelity | undefined
}

export interface Selected {
  readonly formula: F.Formula
  readonly findings: ReadonlyArray<Finding>
}

/** One requirement of a selector: a positive label test, or its negation (NotIn, DoesNotExist). */
interface Requirement {
  readonly path: Path
  readonly raw: string
  readonly key: LabelKey
  readonly test: F.LabelTest
  readonly positive: boolean
}

type Add = (f: Finding) => void

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

/** The cluster name a netpolx inventory stands for (Cilium's default `cluster-name`). */
export const clusterName = 'default'

const namespaceKey = 'io.kubernetes.pod.namespace'
const namespaceLabelsPrefix = 'io.cilium.k8s.namespace.labels.'
const serviceAccountKey = 'io.cilium.k8s.policy.serviceaccount'
const clusterKey = 'io.cilium.k8s.policy.cluster'
const ciliumPrefix = 'io.cilium.k8s'

/** Reserved labels an identity can carry (`pkg/labels` `IDName*`), and the entity each stands for. */
const reservedEntities: Readonly<Record<string, F.Formula>> = {
  host: F.entity('host'),
  'remote-node': F.entity('remote-node'),
  world: F.entity('world'),
  'world-ipv4': F.and(F.entity('world'), F.ipIn(C.allV4)),
  'world-ipv6': F.and(F.entity('world'), F.ipIn(C.allV6)),
  health: F.entity('health'),
  init: F.entity('init'),
  ingress: F.entity('ingress'),
  unmanaged: F.entity('unmanaged'),
  'kube-apiserver': F.entity('kube-apiserver')
}

/**
 * The default identity-relevant label filter (`defaultLabelPrefixCfg` in `pkg/labelsfilter/filter.go`;
 * research/cilium.md §2.1, which omits `topology.kubernetes.io` and the leading `.*` of
 * `beta.kubernetes.io`). Patterns are anchored at the start of the key; a label is dropped when an
 * ignore pattern matches and no include pattern matches a longer prefix.
 */
const includePatterns: ReadonlyArray<RegExp> = [
  /^io\.kubernetes\.pod\.namespace/,
  /^io\.cilium\.k8s\.namespace\.labels/,
  /^app\.kubernetes\.io/,
  /^io\.cilium\.k8s\.policy\.cluster/,
  /^io\.cilium\.k8s\.policy\.serviceaccount/
]
const ignorePatterns: ReadonlyArray<RegExp> = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^batch\.kubernetes\.io\/controller-uid/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^controller-uid/,
  /^annotation.*/,
  /^etcd_node/,
  /^topology\.kubernetes\.io/
]

// -------------------------------------------------------------------------------------
// keys
// -------------------------------------------------------------------------------------

/** Cilium's `parseSource(key, ':')` with `any` for a key without source (`GetExtendedKeyFrom`). */
export const parseKey = (raw: string): LabelKey => {
  if (raw.startsWith('$')) return { source: 'reserved', key: raw.slice(1) }
  const i = raw.indexOf(':')
  if (i < 0) return raw.startsWith('reserved.') ? { source: 'reserved', key: raw.slice('reserved.'.length) } : { source: 'any', key: raw }
  return { source: raw.slice(0, i), key: raw.slice(i + 1) }
}

/** Whether the default identity-relevant label filter drops a (k8s-sourced) label with this key. */
export const isIdentityIrrelevant = (key: string): boolean => {
  const ignored = ignorePatterns.reduce<number>((acc, p) => {
    const m = p.exec(key)
    return m === null ? acc : acc === 0 || m[0].length < acc ? m[0].length : acc
  }, 0)
  if (ignored === 0) return false
  const included = includePatterns.reduce<number>((acc, p) => {
    const m = p.exec(key)
    return m === null ? acc : Math.max(acc, m[0].length)
  }, 0)
  return !(included > ignored)
}

const isPodSource = (k: LabelKey): boolean => k.source === 'k8s' || k.source === 'any'
const isNamespaceKey = (k: LabelKey): boolean => isPodSource(k) && k.key === namespaceKey
const isNamespaceLabelKey = (k: LabelKey): boolean => isPodSource(k) && k.key.startsWith(namespaceLabelsPrefix)
const isClusterKey = (k: LabelKey): boolean => isPodSource(k) && k.key === clusterKey

/** The requirements of a selector, matchLabels first (in key order as written), then matchExpressions. */
const requirements = (sel: LabelSelector): ReadonlyArray<Requirement> => [
  ...Object.entries(sel.matchLabels ?? {}).map(([raw, v]) => ({
    path: ['matchLabels', raw],
    raw,
    key: parseKey(raw),
    test: { _tag: 'in', values: [v] } as const,
    positive: true
  })),
  ...(sel.matchExpressions ?? []).map((r, i) => ({
    path: ['matchExpressions', i],
    raw: r.key,
    key: parseKey(r.key),
    test: r.operator === 'In' || r.operator === 'NotIn' ? ({ _tag: 'in', values: r.values ?? [] } as const) : ({ _tag: 'exists' } as const),
    positive: r.operator === 'In' || r.operator === 'Exists'
  }))
]

/** Whether a selector mentions reserved:init (`matchesPodInit`: any operator). */
export const mentionsInit = (sel: LabelSelector | undefined): boolean =>
  sel !== undefined && requirements(sel).some((r) => r.key.source === 'reserved' && r.key.key === 'init')

// -------------------------------------------------------------------------------------
// atoms
// -------------------------------------------------------------------------------------

const warn = (add: Add, r: Requirement, code: string, message: string, fidelity?: Fidelity): void =>
  add({ severity: 'warning', code, message: `${JSON.stringify(r.raw)}: ${message}`, path: r.path, fidelity })

/** A test decided on a label every matching identity carries with one known value. */
const constant = (test: F.LabelTest, value: string): boolean => F.testLabel({ k: value }, 'k', test)

/** `reserved:X`: the entity X (reserved labels have the empty value). */
const reservedAtom = (r: Requirement, add: Add): F.Formula => {
  const entity = reservedEntities[r.key.key]
  if (entity === undefined) {
    warn(add, r, 'unknown-reserved-label', 'no Cilium identity carries this reserved label, so it is evaluated as absent')
    return F.ff
  }
  return constant(r.test, '') ? entity : F.ff
}

const byTest = (test: F.LabelTest, values: (vs: ReadonlyArray<string>) => F.Formula, exists: F.Formula): F.Formula =>
  test._tag === 'in' ? values(test.values) : test._tag === 'exists' ? exists : F.ff

const pod = F.kind(['pod'])

/**
 * Whether a test on the cluster label holds: netpolx models one cluster and assumes Cilium's
 * default cluster name (warning).
 */
const clusterHolds = (r: Requirement, add: Add, who: string): boolean => {
  const holds = constant(r.test, clusterName)
  warn(add, r, 'cluster-name-assumed', `netpolx models a single cluster and assumes Cilium's default cluster name "${clusterName}"; this selects ${holds ? 'all' : 'none'} of its ${who}`)
  return holds
}

/**
 * A positive test on a pod-label key (source `k8s` or `any`) as the IR reads it; every such atom
 * holds only on pods (§2.1).
 */
const podLabelAtom = (r: Requirement, add: Add): F.Formula => {
  const { key } = r.key
  if (key === namespaceKey) return byTest(r.test, F.inNamespace, pod)
  if (key.startsWith(namespaceLabelsPrefix)) return F.label('namespace', key.slice(namespaceLabelsPrefix.length), r.test)
  if (key === serviceAccountKey) return byTest(r.test, F.serviceAccount, pod)
  if (key === clusterKey) return clusterHolds(r, add, 'pods') ? pod : F.ff
  if (key.startsWith(ciliumPrefix)) {
    warn(add, r, 'not-an-identity-label', `Cilium strips "${ciliumPrefix}*" labels from pods and sets only namespace, namespace-label, service-account and cluster labels, so this label is evaluated as absent`)
    return F.ff
  }
  if (isIdentityIrrelevant(key)) {
    warn(
      add,
      r,
      'identity-irrelevant-label',
      "Cilium's default identity-relevant label filter drops this label from identities, so a selector cannot match it; evaluated as if the pod lacked the label (https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/)"
    )
    return F.ff
  }
  return F.label('endpoint', key, r.test)
}

/** A positive test of a pod-context requirement, and whether it holds only on pods. */
const podContextAtom = (r: Requirement, add: Add): { readonly formula: F.Formula; readonly podOnly: boolean } => {
  if (r.key.source === 'reserved') return { formula: reservedAtom(r, add), podOnly: false }
  if (!isPodSource(r.key)) {
    warn(add, r, 'label-source-never-matches', `pods carry only k8s-sourced labels, so a "${r.key.source}:" label is evaluated as absent`)
    return { formula: F.ff, podOnly: true }
  }
  return { formula: podLabelAtom(r, add), podOnly: true }
}

// -------------------------------------------------------------------------------------
// selectors
// -------------------------------------------------------------------------------------

/** Where a pod-context selector appears. */
export type Role =
  /** `endpointSelector` of a CNP (`namespace` set; its scope supplies the namespace) or CCNP. */
  | { readonly _tag: 'subject'; readonly namespace: string | undefined }
  /** `fromEndpoints` / `toEndpoints` of a CNP (`namespace` set) or CCNP. */
  | { readonly _tag: 'peer'; readonly namespace: string | undefined; readonly subjectMatchesInit: boolean }

/**
 * An EndpointSelector over pod identities (subject or peer), scoped as Cilium scopes it (module
 * comment). The subject formula does not include `kind(pod)`; a peer formula does whenever Cilium's
 * additions restrict it to pods.
 */
export const endpointSelector = (sel: LabelSelector, role: Role): Selected => {
  const findings: Array<Finding> = []
  const add: Add = (f) => findings.push(f)
  let reqs = requirements(sel)
  if (role._tag === 'subject') {
    // ParseToCiliumRule: a CNP's namespace overwrites a k8s:io.kubernetes.pod.namespace matchLabels entry (§2.3)
    const ns = role.namespace
    if (ns !== undefined) {
      const overwritten = reqs.filter((r) => r.path[0] === 'matchLabels' && r.key.source === 'k8s' && r.key.key === namespaceKey)
      overwritten.forEach((r) => {
        if (!constant(r.test, ns))
          warn(add, r, 'namespace-overwritten', `the endpointSelector of a CiliumNetworkPolicy always applies in the policy's namespace "${ns}"; Cilium replaces this match by it`)
      })
      reqs = reqs.filter((r) => !overwritten.includes(r))
    }
    return {
      formula: F.and(...reqs.map((r) => literal(podContextAtom(r, add).formula, r.positive))),
      findings
    }
  }
  // getEndpointSelector (§2.4)
  const reserved = reqs.some((r) => r.key.source === 'reserved')
  const namespaceMentioned = reqs.some((r) => isNamespaceKey(r.key))
  const namespaceLabelsMentioned = reqs.some((r) => isNamespaceLabelKey(r.key))
  const clusterMentioned = reqs.some((r) => isClusterKey(r.key))
  const namespaceAdded: F.Formula | undefined =
    reserved || namespaceMentioned
      ? undefined
      : role.namespace !== undefined
        ? namespaceLabelsMentioned
          ? undefined
          : F.inNamespace([role.namespace])
        : role.subjectMatchesInit
          ? undefined
          : pod
  const clusterAdded = !reserved && !clusterMentioned
  const atoms = reqs.map((r) => ({ r, ...podContextAtom(r, add) }))
  const podOnlyByRequirement = atoms.some((a) => a.r.positive && a.podOnly)
  const podScoped = namespaceAdded !== undefined || clusterAdded || podOnlyByRequirement
  if (podScoped && namespaceAdded === undefined && !podOnlyByRequirement)
    add({
      severity: 'info',
      code: 'local-cluster-default',
      message:
        'this selector matches only pods because Cilium adds the local cluster label to it (policy-default-local-cluster, on by default since 1.19); with that flag off it would also match identities without the label, such as world and host',
      path: [],
      fidelity: undefined
    })
  if (reserved && atoms.some((a) => a.formula._tag === 'label' && a.formula.owner === 'endpoint'))
    add({
      severity: 'warning',
      code: 'unscoped-label',
      message:
        'Cilium leaves a selector with a reserved: key unscoped, and host and remote-node identities may carry node labels under the same keys as its other labels; netpolx matches those labels on pods only',
      path: [],
      fidelity: 'narrower'
    })
  const parts = atoms.map((a) => literal(podScoped || !a.podOnly ? a.formula : F.and(pod, a.formula), a.r.positive))
  return { formula: F.and(...(podScoped ? [pod] : []), ...(namespaceAdded === undefined ? [] : [namespaceAdded]), ...parts), findings }
}

const literal = (f: F.Formula, positive: boolean): F.Formula => (positive ? f : F.not(f))

/**
 * `nodeSelector` of a host policy (CCNP only): a formula over the selected host's node labels
 * (owner `node`). The host endpoint carries its node's labels with source `k8s`, filtered by the
 * identity-relevant label filter (`Endpoint.InitWithNodeLabels`), and `reserved:host`.
 */
export const hostSelector = (sel: LabelSelector): Selected => {
  const findings: Array<Finding> = []
  const add: Add = (f) => findings.push(f)
  const atom = (r: Requirement): F.Formula => {
    if (r.key.source === 'reserved') return reservedAtom(r, add)
    if (r.key.source === 'node') return F.label('node', r.key.key, r.test)
    if (!isPodSource(r.key)) {
      warn(add, r, 'label-source-never-matches', `host endpoints carry only k8s-sourced node labels, so a "${r.key.source}:" label is evaluated as absent`)
      return F.ff
    }
    if (r.key.key === clusterKey) return clusterHolds(r, add, 'hosts') ? F.tt : F.ff
    if (r.key.key.startsWith(ciliumPrefix)) {
      warn(add, r, 'not-an-identity-label', 'the host endpoint carries no such label, so it is evaluated as absent')
      return F.ff
    }
    if (isIdentityIrrelevant(r.key.key)) {
      warn(
        add,
        r,
        'identity-irrelevant-label',
        "the host endpoint's node labels pass through Cilium's identity-relevant label filter (Endpoint.InitWithNodeLabels), which drops this key, so it is evaluated as absent (https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/)"
      )
      return F.ff
    }
    return F.label('node', r.key.key, r.test)
  }
  return { formula: F.and(...requirements(sel).map((r) => literal(atom(r), r.positive))), findings }
}

/**
 * `fromNodes` / `toNodes`: remote nodes (entity `remote-node`: host endpoints on other nodes) whose
 * node labels (source `node`) satisfy the selector (`getNodeSelector`, §2.4).
 */
export const nodePeerSelector = (sel: LabelSelector): Selected => {
  const findings: Array<Finding> = []
  const add: Add = (f) => findings.push(f)
  const atom = (r: Requirement): F.Formula => {
    if (r.key.source === 'reserved') return reservedAtom(r, add)
    if (r.key.source === 'node' || r.key.source === 'any') {
      if (r.key.source === 'any' && r.key.key === clusterKey) return clusterHolds(r, add, 'nodes') ? F.tt : F.ff
      return F.label('node', r.key.key, r.test)
    }
    if (r.key.source === 'k8s' && r.key.key === clusterKey) return clusterHolds(r, add, 'nodes') ? F.tt : F.ff
    warn(add, r, 'label-source-never-matches', `remote-node identities carry node labels with source "node", so a "${r.key.source}:" label is evaluated as absent`)
    return F.ff
  }
  return {
    formula: F.and(F.kind(['host']), F.entity('remote-node'), ...requirements(sel).map((r) => literal(atom(r), r.positive))),
    findings
  }
}

/** `k8sServiceSelector.selector`: a formula over the Service's own labels (owner `endpoint`); the label source is ignored (`labelsMatcher`). */
export const serviceSelector = (sel: LabelSelector): F.Formula =>
  F.and(...requirements(sel).map((r) => literal(F.label('endpoint', r.key.key, r.test), r.positive)))
