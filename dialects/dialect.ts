/**
 * The interface every dialect implements: recognise its documents, parse them into the IR, and
 * emit IR back as typed resource objects. Dialects never import each other.
 */
import type { Diagnostic } from '../src/diagnostics.js'
import type { Inventory } from '../src/cluster/inventory.js'
import type { Path, SourceDoc } from '../src/io/source.js'
import type { DialectName, PolicySet } from '../src/ir/policy.js'

/** A Kubernetes resource as plain data, keys in the order they are written out. */
export type KubeObject = Readonly<Record<string, unknown>>

/** A comment attached to a node of an emitted object (e.g. at an approximated rule). */
export interface Comment {
  readonly path: Path
  readonly text: string
}

export interface Emitted {
  readonly object: KubeObject
  readonly comments: ReadonlyArray<Comment>
}

export interface ParseOutput {
  readonly set: PolicySet
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

/** What a dialect may read besides the document it parses: the other documents of the same input (e.g. the CiliumCIDRGroups a CIDR rule references). */
export interface ParseContext {
  readonly docs: ReadonlyArray<SourceDoc>
}

export interface EmitOptions {
  /** The cluster inventory, when given: lets emitters expand constructs per observed namespace or pod. */
  readonly inventory: Inventory | undefined
}

export interface EmitOutput {
  readonly objects: ReadonlyArray<Emitted>
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

export interface Dialect {
  readonly name: DialectName
  /** Whether a document with this apiVersion and kind belongs to the dialect. */
  readonly accepts: (apiVersion: string, kind: string) => boolean
  /** Decodes one accepted document into IR; diagnostics carry source positions. */
  readonly parse: (doc: SourceDoc, context?: ParseContext) => ParseOutput
  /** Writes IR as this dialect's resources; whatever cannot be expressed exactly yields a diagnostic with its fidelity. */
  readonly emit: (set: PolicySet, options: EmitOptions) => EmitOutput
}
