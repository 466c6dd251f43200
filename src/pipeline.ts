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
import { suspiciousKind } from './io/kinds.js'
import type { SourceDoc } from './io/source.js'
import type { DialectName, PolicySet } from './ir/policy.js'
import { concat } from './ir/policy.js'
import { adaptAddresses, residentNodeDenies } from './lower/addresses.js'
import { routeClusterTiers } from './lower/cluster-tiers.js'
import type { Lowered } from './lower/addresses.js'
import { expandClusterScope } from './lower/expand.js'
import { resolveWithInventory } from './lower/resolve.js'
import { flatten, needsFlattening } from './lower/flatten.js'
import { dropSourcePorts } from './lower/source-ports.js'
import { needsKindResolution, resolveKinds } from './lower/kinds.js'
import { needsLocalLowering, resolveLocals, splitLocal } from './lower/local.js'
import { asCiliumReadsIt } from './semantics/cilium-identity.js'
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
  /** The dialects the policy documents were written in, in the order of `dialects` (never input order). */
  readonly dialects: ReadonlyArray<DialectName>
  /** Documents of kinds no dialect knows, kept untouched, in canonical order. */
  readonly passthrough: ReadonlyArray<SourceDoc>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

const field = (v: unknown, k: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined)

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/** JSON with object keys sorted: equal for equal documents whatever their key order. */
const canonicalJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonicalJson).join(',')}]`
    : typeof v === 'object' && v !== null
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v) ?? 'null'

/** One read document with what it parsed into, and the identity a cluster would give it. */
interface Entry {
  readonly doc: SourceDoc
  /** `group/kind/namespace/name` (the dialect stands for the group of its kinds: Calico's two API groups are one resource), or undefined when unnamed. */
  readonly key: string | undefined
  /** kind, namespace/name for messages */
  readonly shown: string
  readonly identity: string
  readonly set: PolicySet | undefined
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Detects each document's dialect from apiVersion and kind and parses it into the IR.
 *
 * The result does not depend on the order of the documents: policies, network sets, tiers and
 * passed-through documents come out sorted by kind, namespace and name (then content), so the same
 * set of documents in any order, from any `-f` order, gives byte-identical output downstream.
 * Two documents with the same kind, namespace and name are what a cluster cannot hold (the last
 * `kubectl apply` replaces the other, and which one is last depends on the order of the files):
 * they are an error (`duplicate-object`) at each copy, unless they are identical, which is a
 * warning and one copy is kept.
 */
export const parseDocs = (docs: ReadonlyArray<SourceDoc>): Parsed => {
  const diagnostics: Array<D.Diagnostic> = []
  const entries: Array<Entry> = []
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
    const meta = field(doc.value, 'metadata')
    const name = text(field(meta, 'name'))
    const dialect = dialects.find((d) => d.accepts(apiVersion, kind))
    const suspicious = dialect === undefined ? suspiciousKind(apiVersion, kind) : undefined
    if (suspicious !== undefined) {
      diagnostics.push(D.error('unknown-kind', suspicious, doc.locate(['kind'])))
      continue
    }
    let set: PolicySet | undefined
    let namespace = text(field(meta, 'namespace'))
    if (dialect === undefined) {
      if (!inventoryKinds.has(kind) || apiVersion !== 'v1')
        diagnostics.push(D.info('unknown-kind', `${apiVersion} ${kind} is not a network policy netpolx knows; passed through untouched`, doc.locate([])))
    } else {
      const out = dialect.parse(doc, { docs })
      set = out.set
      diagnostics.push(...out.diagnostics)
      // the namespace the dialect gave it (a defaulted one included)
      const origin = out.set.policies[0]?.origin ?? out.set.networkSets[0]?.origin ?? out.set.tiers[0]?.origin
      if (origin !== undefined) namespace = origin.namespace ?? ''
    }
    const group = dialect === undefined ? (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '') : dialect.name
    const key = name === '' ? undefined : [group, kind, namespace, name].join('\u0000')
    const identity = [group, kind, namespace, name].join('\u0000')
    entries.push({ doc, key, shown: `${kind} ${namespace === '' ? '' : `${namespace}/`}${name}`, identity, set })
  }
  // content breaks ties only (duplicates, unnamed documents): computed when needed
  const canon = new Map<Entry, string>()
  const content = (e: Entry): string => {
    const hit = canon.get(e)
    if (hit !== undefined) return hit
    const c = canonicalJson(e.doc.value)
    canon.set(e, c)
    return c
  }
  entries.sort((a, b) => compare(a.identity, b.identity) || compare(content(a), content(b)))
  const kept: Array<Entry> = []
  for (let i = 0; i < entries.length; ) {
    const first = entries[i] as Entry
    let j = i + 1
    while (j < entries.length && first.key !== undefined && entries[j]?.key === first.key) j++
    const copies = entries.slice(i, j)
    i = j
    if (copies.length === 1) {
      kept.push(first)
      continue
    }
    // listed by position, whatever order the copies came in
    const places = D.sort(copies.map((c) => D.info('', '', c.doc.locate([])))).map((d) => (d.location === undefined ? 'an input' : D.formatLocation(d.location)))
    const identical = copies.every((c) => content(c) === content(first))
    if (identical) {
      // the copy at the first position stays, so findings point at the same place in any order
      const at = (c: Entry): string => D.formatLocation(c.doc.locate([]))
      const located = D.sort(copies.map((c) => D.info('', '', c.doc.locate([]))))[0]?.location
      kept.push(copies.find((c) => located !== undefined && at(c) === D.formatLocation(located)) ?? first)
      // one warning, at the first copy (the same file given twice has one position)
      const unique = [...new Set(places)]
      diagnostics.push(D.warning('duplicate-object', `${first.shown} is given ${copies.length} times, identically (${unique.join(', ')}); it is read once`, located))
      continue
    }
    for (const c of copies)
      diagnostics.push(
        D.error(
          'duplicate-object',
          `${c.shown} is defined ${copies.length} times, differently (${places.join(', ')}); a cluster holds one object per kind, namespace and name and the last kubectl apply replaces the others, so which one is enforced depends on the order of the files: keep one`,
          c.doc.locate([])
        )
      )
  }
  const sets = kept.flatMap((e) => (e.set === undefined ? [] : [e.set]))
  const passthrough = kept.flatMap((e) => (e.set === undefined ? [e.doc] : []))
  const present = new Set(kept.flatMap((e) => (e.set === undefined ? [] : [dialectOf(e.doc)])))
  return { set: concat(sets), dialects: dialects.map((d) => d.name).filter((n) => present.has(n)), passthrough, diagnostics }
}

const dialectOf = (doc: SourceDoc): DialectName | undefined => dialects.find((d) => d.accepts(text(field(doc.value, 'apiVersion')), text(field(doc.value, 'kind'))))?.name

// -------------------------------------------------------------------------------------
// translate
// -------------------------------------------------------------------------------------

export interface Translation {
  readonly objects: ReadonlyArray<Emitted>
  /** What the emitter found (parse findings stay in `Parsed.diagnostics`). */
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
  /** The worst fidelity of any finding, parsing's included (a construct the parser could only approximate is as lossy as one the emitter approximates); `broader-and-narrower` when both occur. */
  readonly fidelity: D.RunFidelity
}

export const fidelityOf = (ds: ReadonlyArray<D.Diagnostic>): D.RunFidelity => D.runFidelity(ds.flatMap((d) => (d.fidelity === undefined ? [] : [d.fidelity])))

/**
 * The CNI a parsed set is enforced by when the user does not say: its dialect, or the first
 * non-Kubernetes one of a mixed set (in the order of `dialects`, never input order). Cluster network
 * policies are Kubernetes API objects: on their own, the k8s model enforces them.
 */
export const defaultCni = (parsed: Parsed): CniName => {
  const cnis = parsed.dialects.filter((d): d is CniName => d !== 'cnp')
  return (cnis.length === 1 ? cnis[0] : cnis.find((d) => d !== 'k8s')) ?? 'k8s'
}

const dialectTitles: Readonly<Record<DialectName, string>> = { k8s: 'Kubernetes NetworkPolicy', calico: 'Calico', cilium: 'Cilium', cnp: 'ClusterNetworkPolicy' }

/**
 * What `translate`, `reach` and `equiv` say when they chose the enforcement model of a set that
 * mixes dialects (`option` is the flag that would have chosen it): the choice changes what some
 * documents mean (a NetworkPolicy read under Cilium's model), so the CLI prints it whatever the
 * verbosity. Undefined for a set of one dialect, whose model is its own.
 */
export const mixedCniNote = (parsed: Parsed, option: string): D.Diagnostic | undefined => {
  // cluster network policies are Kubernetes API objects beside NetworkPolicies: no CNI is implied
  if (parsed.dialects.filter((d) => d !== 'cnp' && d !== 'k8s').length === 0) return undefined
  if (parsed.dialects.length < 2) return undefined
  const cni = defaultCni(parsed)
  return D.info(
    'cni-inferred',
    `the input mixes ${parsed.dialects.map((d) => dialectTitles[d]).join(' and ')} documents; all of them are read under the ${cni} model, as if ${dialectTitles[cni]} enforced the whole set (give ${option} to choose another)`
  )
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
    (s) => (from === 'cilium' ? asCiliumReadsIt(s) : { set: s, diagnostics: [] }),
    (s) => ({ set: s, diagnostics: residentNodeDenies(s, from, to) }),
    (s) => (needsKindResolution(from, to) ? resolveKinds(s, inventory, 'subjects') : { set: s, diagnostics: [] }),
    (s) => (needsKindResolution(from, to) && needsLocalLowering(s, to) ? resolveLocals(s, inventory) : { set: s, diagnostics: [] }),
    (s) => (needsFlattening(s, from, to) ? flatten(s, from, to) : { set: s, diagnostics: [] }),
    (s) => dropSourcePorts(s, to),
    (s) => (needsLocalLowering(s, to) ? splitLocal(s) : { set: s, diagnostics: [] }),
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
