/**
 * The two tiers of Kubernetes cluster-scoped network policy (ClusterNetworkPolicy `spec.tier`
 * `Admin` and `Baseline`; v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy) as IR tiers.
 *
 * A policy in one of these tiers is ordered by its `priority` (the IR `order`; lower first) and its
 * rules run first-match with `allow | deny | pass`; it never isolates by itself (`defaultDeny`
 * false). Where these tiers sit relative to other policies is an enforcement model's business: the
 * API puts Admin before NetworkPolicies and Baseline after them
 * (kubernetes-sigs/network-policy-api `apis/v1alpha2/clusternetworkpolicy_types.go`, `Tier`).
 *
 * The names and orders are Calico's (v3.32+), which converts each ClusterNetworkPolicy into a
 * GlobalNetworkPolicy of tier `kube-admin` (order 1000, default action Pass) or `kube-baseline`
 * (order 10,000,000, default action Pass), policy order = priority
 * (projectcalico/calico `libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go`, tier
 * defaults pinned in `api/pkg/apis/projectcalico/v3/tier.go`): so the same IR serves the Calico
 * model without translation, and Calico policies a user places in those tiers interleave as Calico
 * interleaves them.
 */
import type { Origin, Policy, Tier } from './policy.js'

export type ClusterTier = 'Admin' | 'Baseline'

export const clusterTierName: Readonly<Record<ClusterTier, string>> = { Admin: 'kube-admin', Baseline: 'kube-baseline' }

export const clusterTierOrder: Readonly<Record<ClusterTier, number>> = { Admin: 1000, Baseline: 10_000_000 }

/** The IR tier declaration of a cluster tier. */
export const clusterTier = (t: ClusterTier, origin: Origin): Tier => ({ name: clusterTierName[t], order: clusterTierOrder[t], defaultAction: 'pass', origin })

/** The cluster tier a tier name stands for, if any. */
export const clusterTierByName = (name: string | undefined): ClusterTier | undefined =>
  name === clusterTierName.Admin ? 'Admin' : name === clusterTierName.Baseline ? 'Baseline' : undefined

/** The cluster tier a policy is in, if any. */
export const clusterTierOf = (p: Policy): ClusterTier | undefined => clusterTierByName(p.ordering?.tier)
