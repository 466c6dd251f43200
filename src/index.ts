/**
 * netpolx as a library: read documents, parse them into the IR, translate to a dialect, and
 * compute truth tables. Nothing here prints or throws.
 */
export * as Diagnostics from './diagnostics.js'
export { parseText } from './io/source.js'
export type { SourceDoc, Path } from './io/source.js'
export { readInputs } from './io/read.js'
export { serialise } from './io/serialise.js'
export * as Cidr from './ir/cidr.js'
export * as Formula from './ir/formula.js'
export * as Ports from './ir/ports.js'
export type { Policy, PolicySet, Rule, DialectName } from './ir/policy.js'
export { load as loadInventory } from './cluster/inventory.js'
export type { Inventory } from './cluster/inventory.js'
export { dialects, dialectByName, parseDocs, translate } from './pipeline.js'
export { reach, matrix, defaultProbes } from './semantics/table.js'
export { k8s as k8sModel } from './semantics/k8s.js'
export { equiv, compare as compareTables, equivProbes } from './semantics/equiv.js'
export type { Difference, Equivalence, Evaluated, Side as EquivSide } from './semantics/equiv.js'
export { models, modelByName } from './semantics/models.js'
export * as Defaults from './defaults/index.js'
