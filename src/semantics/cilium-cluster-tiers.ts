/**
 * How Cilium 1.20 takes cluster network policies ("KCNP", agent flag
 * `--enable-k8s-cluster-network-policy`), as `withClusterTiers` options, with the agent's defaults
 * the `cilium` model assumes (cilium/cilium `pkg/k8s/cluster_network_policy.go`
 * `ParseClusterNetworkPolicy`; `pkg/policy/k8s/conformance/conformance_test.go` lists the flags the
 * upstream conformance suite needs):
 *
 * - Admin and Baseline are real tiers around the Normal tier (CiliumNetworkPolicy, CCNP, KNP), with
 *   a Pass verdict; ties of equal priority interleave rule by rule, deny first (`ties: 'level'`);
 * - `networks` selects CIDR identities: with `policy-cidr-match-mode` unset it matches external
 *   addresses only, not pods or nodes (reported when a policy has a `networks` peer);
 * - `nodes` needs `enable-node-selector-labels` and selects remote nodes; evaluated on every
 *   matching node's host endpoints as if the flag were on (reported);
 * - `domainNames` in a Deny or Pass rule makes Cilium reject the whole policy (it then has no
 *   effect); in an Accept rule it matches names learnt from DNS at run time, nothing an inventory
 *   holds (reported).
 */
import * as C from '../ir/cidr.js'
import * as D from '../diagnostics.js'
import * as F from '../ir/formula.js'
import type { Policy, Rule } from '../ir/policy.js'
import { directions, qualifiedName, rulesOf } from '../ir/policy.js'
import type { ClusterTierOptions } from './cluster-tiers.js'

const rulesOfPolicy = (p: Policy): ReadonlyArray<Rule> => directions.flatMap((d) => rulesOf(p, d)?.rules ?? [])

const has = (r: Rule, test: (a: F.Atom) => boolean): boolean => [...F.atoms(r.peer).values()].some(test)

export const ciliumClusterTiers: ClusterTierOptions = {
  ties: 'level',
  override: (a, e) => {
    switch (a._tag) {
      case 'ipIn':
        return e.kind === 'world' && e.ip !== undefined && C.contains(a.cidrs, e.ip)
      case 'fqdn':
        return false
      default:
        return undefined
    }
  },
  convert: (policies) => {
    const diagnostics: Array<D.Diagnostic> = []
    const kept = policies.filter((p) => {
      const bad = rulesOfPolicy(p).find((r) => r.action !== 'allow' && has(r, (a) => a._tag === 'fqdn'))
      if (bad === undefined) return true
      diagnostics.push(
        D.warning('cilium-rejects-policy', `Cilium rejects ${qualifiedName(p.origin)} as a whole: domainNames in a ${bad.action === 'deny' ? 'Deny' : 'Pass'} rule; evaluated without it`, bad.location)
      )
      return false
    })
    const first = (test: (a: F.Atom) => boolean): Rule | undefined => kept.flatMap(rulesOfPolicy).find((r) => has(r, test))
    const networks = first((a) => a._tag === 'ipIn')
    if (networks !== undefined)
      diagnostics.push(
        D.warning(
          'cilium-cidr-match-mode',
          'Cilium matches a networks peer against pod and node addresses only with policy-cidr-match-mode=pods,nodes (default: external addresses only); evaluated with the default',
          networks.location
        )
      )
    const nodes = first((a) => a._tag === 'label' && a.owner === 'node')
    if (nodes !== undefined)
      diagnostics.push(
        D.warning(
          'cilium-node-selector-labels',
          'Cilium accepts a nodes peer only with the agent flag enable-node-selector-labels (default false; otherwise it rejects the policy) and then matches remote nodes; evaluated as if the flag were on, on every matching node',
          nodes.location
        )
      )
    const domains = first((a) => a._tag === 'fqdn')
    if (domains !== undefined)
      diagnostics.push(D.warning('fqdn-runtime', 'domainNames match the addresses DNS answers at run time; they match no endpoint of the inventory', domains.location))
    return { policies: kept, diagnostics }
  }
}
