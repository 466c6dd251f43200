/** The enforcement models `reach` and `equiv` can evaluate under, by name. */
import { calico } from './calico.js'
import { cilium } from './cilium.js'
import { k8s } from './k8s.js'
import type { CniName, Model } from './model.js'

export const models: ReadonlyArray<Model> = [k8s, calico, cilium]

export const modelByName = (name: CniName | string): Model | undefined => models.find((m) => m.name === name)
