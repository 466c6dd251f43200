/**
 * Documents that look like a network policy but are not one netpolx reads: a kind that differs
 * from a known one only in case or by a typo (`kind: Networkpolicy`), a known kind under an
 * apiVersion that does not serve it, and the `extensions/v1beta1` NetworkPolicy that Kubernetes
 * 1.16 removed. The pipeline reports them as errors instead of passing them through, since a
 * policy passed through untouched is a policy silently not enforced.
 *
 * Pure functions over `apiVersion` and `kind`; called only for documents no dialect accepts.
 */

/** The policy kinds netpolx reads, with the apiVersions that serve them. */
const knownKinds: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ['NetworkPolicy', ['networking.k8s.io/v1', 'projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['GlobalNetworkPolicy', ['projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['StagedNetworkPolicy', ['projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['StagedGlobalNetworkPolicy', ['projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['StagedKubernetesNetworkPolicy', ['projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['NetworkSet', ['projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['GlobalNetworkSet', ['projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['Tier', ['projectcalico.org/v3', 'crd.projectcalico.org/v1']],
  ['CiliumNetworkPolicy', ['cilium.io/v2']],
  ['CiliumClusterwideNetworkPolicy', ['cilium.io/v2']]
]

/**
 * Kinds of the Kubernetes network-policy API (kubernetes-sigs/network-policy-api), used only to
 * suggest a spelling: whether they are read depends on the dialects present.
 */
const suggestedOnly: ReadonlyArray<string> = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']

/** Levenshtein distance, cut off above `max` (returns `max + 1`). */
export const editDistance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
      cur.push(v)
      rowMin = Math.min(rowMin, v)
    }
    if (rowMin > max) return max + 1
    prev = cur
  }
  return prev[b.length] ?? max + 1
}

/** The known kind `kind` probably means: the same but for case, or within a small edit distance. */
export const probableKind = (kind: string): string | undefined => {
  const candidates = [...knownKinds.map(([k]) => k), ...suggestedOnly]
  const lower = kind.toLowerCase()
  // the same but for case, or a plural (kubectl's resource names are plurals: networkpolicies)
  const singular = lower.endsWith('ies') ? `${lower.slice(0, -3)}y` : lower.endsWith('s') ? lower.slice(0, -1) : lower
  const sameButCase = candidates.find((k) => (k.toLowerCase() === lower || k.toLowerCase() === singular) && k !== kind)
  if (sameButCase !== undefined) return sameButCase
  const max = Math.max(1, Math.floor(kind.length / 6))
  let best: string | undefined
  let bestDistance = max + 1
  for (const k of candidates) {
    if (k === kind) continue
    const d = editDistance(lower, k.toLowerCase(), max)
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return best
}

/**
 * Why a document no dialect accepted looks like a mistake, or undefined when it is just another
 * kind (a Deployment, a ConfigMap) to pass through.
 */
export const suspiciousKind = (apiVersion: string, kind: string): string | undefined => {
  if (kind === 'NetworkPolicy' && apiVersion === 'extensions/v1beta1')
    return 'extensions/v1beta1 NetworkPolicy was removed in Kubernetes 1.16 and no cluster serves it any more; write apiVersion: networking.k8s.io/v1 (the fields are the same) and check the result'
  const known = knownKinds.find(([k]) => k === kind)
  if (known !== undefined) return `apiVersion "${apiVersion}" does not serve kind ${kind}: expected ${known[1].join(' or ')}`
  if (suggestedOnly.includes(kind)) return undefined
  const probable = probableKind(kind)
  return probable === undefined ? undefined : `unknown kind "${kind}": did you mean ${probable}? (kinds are case-sensitive)`
}
