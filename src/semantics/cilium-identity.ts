/**
 * Kubernetes NetworkPolicies as Cilium reads them: in Cilium's identity label space.
 *
 * Cilium converts a NetworkPolicy's selectors into EndpointSelectors over identity labels
 * (`ParseNetworkPolicy`, `parseNetworkPolicyPeer` and `parsePodSelector` in cilium
 * `pkg/k8s/network_policy.go`): every podSelector key gets the `k8s:` source prefix
 * (`api.NewESFromK8sLabelSelector(labels.LabelSourceK8sKeyPrefix, …)`), the policy's namespace is
 * set as `k8s:io.kubernetes.pod.namespace` (a matchLabels entry of the podSelector on that key is
 * overwritten), namespaceSelector keys are prefixed `io.cilium.k8s.namespace.labels.`, and a
 * peer gets the local cluster unless its podSelector tests `io.cilium.k8s.policy.cluster`.
 * Identities carry, besides the pod's own labels, labels Cilium derives for every endpoint
 * (`pkg/k8s/apis/cilium.io/const.go`, dialects/cilium/labels.ts): so under Cilium a podSelector
 * key among them tests what Cilium derives, not a pod label:
 *
 * - `io.kubernetes.pod.namespace`: the namespace name;
 * - `io.cilium.k8s.namespace.labels.K`: the namespace's label K;
 * - `io.cilium.k8s.policy.serviceaccount`: the pod's service account;
 * - `io.cilium.k8s.policy.cluster`: the cluster name, which netpolx takes to be Cilium's default
 *   (`default`); `Exists` holds on every pod whatever the name;
 * - any other `io.cilium.k8s…` key: Cilium strips such labels from pods, so no pod has it.
 *
 * This module rewrites those label atoms of the policies read from Kubernetes (origin dialect
 * `k8s`) into the IR's own atoms; the `cilium` model reads the set through it, and translation
 * from a Cilium-enforced set (`--from-cni cilium`) lowers the set through it, so that every target
 * writes what Cilium enforces.
 */
import * as D from '../diagnostics.js'
import * as F from '../ir/formula.js'
import type { Policy, PolicySet } from '../ir/policy.js'
import { mapRules, qualifiedName } from '../ir/policy.js'

/** Cilium's default `cluster-name`, which a netpolx inventory stands for (dialects/cilium/labels.ts). */
const clusterName = 'default'

const namespaceKey = 'io.kubernetes.pod.namespace'
const namespaceLabelsPrefix = 'io.cilium.k8s.namespace.labels.'
const serviceAccountKey = 'io.cilium.k8s.policy.serviceaccount'
const clusterKey = 'io.cilium.k8s.policy.cluster'
const ciliumPrefix = 'io.cilium.k8s'

const pod = F.kind(['pod'])

/** Whether a label key is one Cilium derives for endpoints (or strips from pods). */
export const isCiliumIdentityKey = (key: string): boolean => key === namespaceKey || key.startsWith(ciliumPrefix)

/** The label test on a value every matching endpoint carries. */
const onValue = (test: F.LabelTest, value: string): boolean => F.testLabel({ k: value }, 'k', test)

/** One pod-label atom as Cilium reads it; `note` receives what is worth telling. */
const atom = (a: F.Label, note: (code: string, message: string) => void): F.Formula => {
  const t = a.test
  if (a.key === namespaceKey) {
    note(
      'cilium-namespace-label',
      `"${namespaceKey}" is the namespace name in Cilium's identities; Cilium replaces a podSelector matchLabels entry on it by the policy's own namespace (a namespaceSelector peer excepted), netpolx reads every test on it as a test of the namespace name`
    )
    return t._tag === 'in' ? F.inNamespace(t.values) : t._tag === 'exists' ? pod : F.label('namespace', 'kubernetes.io/metadata.name', t)
  }
  if (a.key.startsWith(namespaceLabelsPrefix)) return F.and(pod, F.label('namespace', a.key.slice(namespaceLabelsPrefix.length), t))
  if (a.key === serviceAccountKey) {
    if (t._tag === 'in') return F.and(pod, F.serviceAccount(t.values))
    if (t._tag === 'exists') return pod
    return a
  }
  if (a.key === clusterKey) {
    if (t._tag !== 'exists')
      note('cluster-name-assumed', `netpolx models a single cluster and assumes Cilium's default cluster name "${clusterName}" for "${clusterKey}"`)
    return onValue(t, clusterName) ? pod : F.ff
  }
  if (a.key.startsWith(ciliumPrefix)) {
    note('not-an-identity-label', `Cilium strips "${ciliumPrefix}*" labels from pods and derives only the namespace, namespace-label, service-account and cluster labels, so "${a.key}" is evaluated as absent`)
    return F.ff
  }
  return a
}

const mentions = (f: F.Formula): boolean => [...F.atoms(f).values()].some((a) => a._tag === 'label' && a.owner === 'endpoint' && isCiliumIdentityKey(a.key))

/** A policy's subject, peers and local constraints with Cilium's identity labels made IR atoms. */
const readPolicy = (p: Policy, diagnostics: Array<D.Diagnostic>): Policy => {
  const seen = new Set<string>()
  const note = (code: string, message: string): void => {
    if (seen.has(code)) return
    seen.add(code)
    diagnostics.push(D.warning(code, `${qualifiedName(p.origin)}: ${message}`, p.origin.location))
  }
  const rewrite = (f: F.Formula): F.Formula => (mentions(f) ? F.mapAtoms(f, (a) => (a._tag === 'label' && a.owner === 'endpoint' && isCiliumIdentityKey(a.key) ? atom(a, note) : a)) : f)
  return mapRules({ ...p, subject: rewrite(p.subject) }, (r) => ({ ...r, peer: rewrite(r.peer), ...(r.local === undefined ? {} : { local: rewrite(r.local) }) }))
}

/** Whether some NetworkPolicy of the set tests a label Cilium derives. */
export const readsCiliumIdentity = (set: PolicySet): boolean =>
  set.policies.some((p) => p.origin.dialect === 'k8s' && (mentions(p.subject) || [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])].some((r) => mentions(r.peer))))

/** The set with its Kubernetes NetworkPolicies read in Cilium's identity label space (module comment). */
export const asCiliumReadsIt = (set: PolicySet): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  if (!readsCiliumIdentity(set)) return { set, diagnostics: [] }
  const diagnostics: Array<D.Diagnostic> = []
  const policies = set.policies.map((p) => (p.origin.dialect === 'k8s' ? readPolicy(p, diagnostics) : p))
  return { set: { ...set, policies }, diagnostics }
}
