/**
 * read → detect dialect → parse → lower → emit → serialise. Pure functions over documents already
 * read; `src/cli` does the reading, printing and exit codes.
 */
import { calico } from '../dialects/calico/index.js'
import { cilium } from '../dialects/cilium/index.js'
import { cnp } from '../dialects/cnp/index.js'
import { emitCnp } from '../dialects/cnp/emit.js'
import type { CnpVersion } from '../dialects/cnp/emit.js'
import { k8s } from '../dialects/k8s/index.js'
import type { Dialect, Emitted } from '../dialects/dialect.js'
import * as D from './diagnostics.js'
import type { Inventory } from './cluster/inventory.js'
import type { SourceDoc } from './io/source.js'
import type { DialectName, PolicySet } from './ir/policy.js'
import { concat } from './ir/policy.js'
import { adaptAddresses, residentNodeDenies } from './lower/addresses.js'
import { routeClusterTiers } from './lower/cluster-tiers.js'
import type { Lowered } from './lower/addresses.js'
import { expandClusterScope } from './lower/expand.js'
import { resolveWithInventory } from './lower/resolve.js'
import { flatten, needsFlattening } from './lower/flatten.js'
import { needsKindResolution, resolveKinds } from './lower/kinds.js'
import type { CniName } from './semantics/model.js'

// -------------------------------------------------------------------------------------
// dialects
// -------------------------------------------------------------------------------------

export const dialects: ReadonlyArray<Dialect> = [k8s, calico, cilium, cnp]

export const dialectByName = (name: string): Dialect | undefined => dialects.find((d) => d.name === name)

/** Kinds of the core API that inventories are made of; they are not policies. */
const inventoryKinds = new Set(['Namespace', 'Pod', 'Node', 'Service'])

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

export interface Parsed {
  readonly set: PolicySet
  /** The dialects the policy documents were written in, in first-seen order. */
  readonly dialects: ReadonlyArray<DialectName>
  /** Documents of kinds no dialect knows, kept untouched. */
  readonly passthrough: ReadonlyArray<SourceDoc>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

const field = (v: unknown, k: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined)

/** Detects each document's dialect from apiVersion and kind and parses it into the IR. */
export const parseDocs = (docs: ReadonlyArray<SourceDoc>): Parsed => {
  const sets: Array<PolicySet> = []
  const seen: Array<DialectName> = []
  const passthrough: Array<SourceDoc> = []
  const diagnostics: Array<D.Diagnostic> = []
  for (const doc of docs) {
    const apiVersion = field(doc.value, 'apiVersion')
    const kind = field(doc.value, 'kind')
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      diagnostics.push(
        D.error(
          'not-a-resource',
          `expected a Kubernetes resource with string apiVersion and kind${typeof apiVersion === 'string' ? '' : ' (apiVersion is missing)'}${typeof kind === 'string' ? '' : ' (kind is missing)'}`,
          doc.locate([])
        )
      )
      continue
    }
    const dialect = dialects.find((d) => d.accepts(apiVersion, kind))
    if (dialect === undefined) {
      passthrough.push(doc)
      if (!inventoryKinds.has(kind) || apiVersion !== 'v1')
        diagnostics.push(D.info('unknown-kind', `${apiVersion} ${kind} is not a network policy netpolx knows; passed through untouched`, doc.locate([])))
      continue
    }
    if (!seen.includes(dialect.name)) seen.push(dialect.name)
    const out = dialect.parse(doc)
    sets.push(out.set)
    diagnostics.push(...out.diagnostics)
  }
  return { set: concat(sets), dialects: seen, passthrough, diagnostics }
}

// -------------------------------------------------------------------------------------
// translate
// -------------------------------------------------------------------------------------

export interface Translation {
  readonly objects: ReadonlyArray<Emitted>
  /** What the emitter found (parse findings stay in `Parsed.diagnostics`). */
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
  /** The worst fidelity of any finding, parsing's included: a construct the parser could only approximate is as lossy as one the emitter approximates. */
  readonly fidelity: D.Fidelity
}

export const fidelityOf = (ds: ReadonlyArray<D.Diagnostic>): D.Fidelity => D.worstFidelity(ds.flatMap((d) => (d.fidelity === undefined ? [] : [d.fidelity])))

/** The CNI a parsed set is enforced by when the user does not say: its dialect, or the first non-Kubernetes one of a mixed set. */
export const defaultCni = (parsed: Parsed): CniName => {
  // cluster network policies are Kubernetes API objects: on their own, the k8s model enforces them
  const cnis = parsed.dialects.filter((d): d is CniName => d !== 'cnp')
  return (cnis.length === 1 ? cnis[0] : cnis.find((d) => d !== 'k8s')) ?? 'k8s'
}

/**
 * Lowers the parsed set for the target (DESIGN.md §2 step 5) and emits it. `fromCni` is the model
 * the input is enforced by (default: `defaultCni`).
 */
export const translate = (
  parsed: Parsed,
  target: Dialect,
  inventory: Inventory | undefined,
  fromCni: CniName = defaultCni(parsed),
  cnpVersion: CnpVersion = 'v1alpha2'
): Translation => {
  // cluster network policies stay what they are for targets that enforce them (src/lower/cluster-tiers.ts)
  const routed = routeClusterTiers(parsed.set, fromCni, target.name, inventory)
  if (routed !== undefined) {
    const restTarget = dialectByName(routed.restTarget) ?? target
    const loweredRest = lower(routed.rest, fromCni, restTarget.name, inventory)
    const rest = routed.rest.policies.length === 0 ? { objects: [], diagnostics: [] } : restTarget.emit(loweredRest.set, { inventory })
    const clusterOut = emitCnp(routed.cluster, { inventory, version: target.name === 'cnp' ? cnpVersion : 'v1alpha2' })
    const diagnostics = [...routed.diagnostics, ...loweredRest.diagnostics, ...rest.diagnostics, ...clusterOut.diagnostics]
    return { objects: [...rest.objects, ...clusterOut.objects], diagnostics, fidelity: fidelityOf([...parsed.diagnostics, ...diagnostics]) }
  }
  const lowered = lower(parsed.set, fromCni, target.name, inventory)
  const out = target.emit(lowered.set, { inventory })
  const diagnostics = [...lowered.diagnostics, ...out.diagnostics]
  return { objects: out.objects, diagnostics, fidelity: fidelityOf([...parsed.diagnostics, ...diagnostics]) }
}

/** The lowering passes a target needs, in order (DESIGN.md §2 step 5). */
export const lower = (set: PolicySet, from: CniName, to: DialectName, inventory: Inventory | undefined): Lowered => {
  const passes: ReadonlyArray<(s: PolicySet) => Lowered> = [
    (s) => ({ set: s, diagnostics: residentNodeDenies(s, from, to) }),
    (s) => (needsKindResolution(from, to) ? resolveKinds(s, inventory, 'subjects') : { set: s, diagnostics: [] }),
    (s) => (needsFlattening(s, from, to) ? flatten(s, from, to) : { set: s, diagnostics: [] }),
    (s) => (needsKindResolution(from, to) ? resolveKinds(s, inventory, 'peers') : { set: s, diagnostics: [] }),
    (s) => adaptAddresses(s, from, to, inventory),
    (s) => (to === 'k8s' ? resolveWithInventory(s, inventory) : { set: s, diagnostics: [] }),
    (s) => (to === 'k8s' ? expandClusterScope(s, inventory) : { set: s, diagnostics: [] })
  ]
  return passes.reduce<Lowered>((acc, pass) => {
    const r = pass(acc.set)
    return { set: r.set, diagnostics: [...acc.diagnostics, ...r.diagnostics] }
  }, { set, diagnostics: [] })
}
