/**
 * The `-n/--namespace NS` option shared by the commands that read policies: checks NS (a DNS-1123
 * label, as a namespace name must be), applies it as kubectl does (src/io/namespace.ts), and ends
 * the command with exit code 2 when a document names another namespace.
 */
import { labelNameProblem } from '../../dialects/validation.js'
import * as D from '../diagnostics.js'
import { applyNamespace } from '../io/namespace.js'
import type { SourceDoc } from '../io/source.js'
import type { Io } from './common.js'
import { Exit, exitCodes, printDiagnostics, usageError } from './common.js'

export const namespaceFlags = '-n, --namespace <namespace>'
export const namespaceHelp =
  'the namespace of namespaced documents that do not name one (as kubectl -n); a document naming another namespace is an error. Without it, such documents go to "default", with a warning'

/** `docs` with `-n` applied (unchanged without it); exits 2 on a bad namespace or a mismatch. */
export const namespaceOrExit = (io: Io, docs: ReadonlyArray<SourceDoc>, namespace: string | undefined, verbose: boolean): ReadonlyArray<SourceDoc> => {
  if (namespace === undefined) return docs
  const why = labelNameProblem(namespace)
  if (why !== undefined) throw usageError(io, `invalid -n/--namespace ${JSON.stringify(namespace)}: ${why}`)
  const r = applyNamespace(docs, namespace)
  if (D.hasErrors(r.diagnostics)) {
    printDiagnostics(io, r.diagnostics, verbose)
    throw new Exit(exitCodes.usage)
  }
  return r.docs
}
