/**
 * An enforcement model: how a CNI combines the IR's policies into per-endpoint verdicts
 * (DESIGN.md §4). A model prepares a policy set over endpoint classes, then answers which peer
 * classes a subject class lets through in one direction on one port.
 */
import type { Diagnostic } from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import type { Direction, PolicySet } from '../ir/policy.js'
import type { Bitset } from './bitset.js'
import type { Classes } from './endpoint.js'

export type CniName = 'k8s' | 'calico' | 'cilium'

export interface Prepared {
  /**
   * For subject class `c`: the peer classes whose connections on (protocol, port) the model
   * allows in direction `d` (ingress: peers as sources into c; egress: peers as destinations of c).
   * `sourcePort`: the connection's source port, when the probe has one (`probes.ts`); without it,
   * a rule restricted by source port matches only if it admits every source port of the protocol.
   */
  readonly allowedPeers: (d: Direction, c: number, protocol: number, port: number, sourcePort?: number) => Bitset
}

export interface Model {
  readonly name: CniName
  readonly prepare: (set: PolicySet, classes: Classes, inventory: Inventory) => { readonly prepared: Prepared; readonly diagnostics: ReadonlyArray<Diagnostic> }
}
