/** The enforcement models `reach` and `equiv` can evaluate under, by name. */
import { calico } from './calico.js'
import { cilium } from './cilium.js'
import { ciliumClusterTiers } from './cilium-cluster-tiers.js'
import { calicoClusterTiers, withClusterTiers } from './cluster-tiers.js'
import { k8s } from './k8s.js'
import type { CniName, Model } from './model.js'

/** Each model with the cluster network policy tiers (Admin, Baseline) as its CNI enforces them. */
export const models: ReadonlyArray<Model> = [
  withClusterTiers(k8s, { ties: 'name', override: undefined, convert: (policies) => ({ policies, diagnostics: [] }) }),
  calicoClusterTiers(calico),
  withClusterTiers(cilium, ciliumClusterTiers)
]

export const modelByName = (name: CniName | string): Model | undefined => models.find((m) => m.name === name)
