/**
 * read → detect dialect → parse → lower → emit → serialise. Pure functions over documents already
 * read; `src/cli` does the reading, printing and exit codes.
 */
import { calico } from '../dialects/calico/index.js'
import { cilium } from '../dialects/cilium/index.js'
import { k8s } from '../dialects/k8s/index.js'
import type { Dialect, Emitted } from '../dialects/dialect.js'
import * as D from './diagnostics.js'
import type { Inventory } from './cluster/inventory.js'
import type { SourceDoc } from './io/source.js'
import type { DialectName, PolicySet } from './ir/policy.js'
import { concat } from './ir/policy.js'

// -------------------------------------------------------------------------------------
// dialects
// -------------------------------------------------------------------------------------

export const dialects: ReadonlyArray<Dialect> = [k8s, calico, cilium]

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

export const translate = (parsed: Parsed, target: Dialect, inventory: Inventory | undefined): Translation => {
  const out = target.emit(parsed.set, { inventory })
  return { objects: out.objects, diagnostics: out.diagnostics, fidelity: fidelityOf([...parsed.diagnostics, ...out.diagnostics]) }
}
