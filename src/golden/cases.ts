/**
 * Golden cases on disk (DESIGN.md §6, §7): a case is a folder holding `input.yaml` (policies in
 * any dialect, mixed allowed) — or `defaults.yaml`, a `netpolx defaults` request (profiles,
 * parameters, namespaces) — an optional `cluster.yaml` (the inventory the translation may expand
 * over) and `expected/`: `<dialect>.yaml` per target and `report.json`.
 *
 * Discovery walks each given folder in code-unit name order, skipping dot-entries: a folder with
 * `input.yaml` is a case (not searched further); a folder with `expected/` but no `input.yaml` is
 * an error. Reading never throws nor rejects: problems are diagnostics.
 */
import { promises as fs } from 'node:fs'
import type { Dirent } from 'node:fs'
import * as path from 'node:path'
import * as D from '../diagnostics.js'
import type { DialectName } from '../ir/policy.js'
import { dialectNames } from '../ir/policy.js'
import { ioDiagnostic } from '../io/read.js'

export { ioDiagnostic }

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Case {
  /** The case folder as the user's path spells it (`golden/k8s-ipblock-except`). */
  readonly dir: string
}

export const inputFile = 'input.yaml'
export const defaultsFile = 'defaults.yaml'
export const clusterFile = 'cluster.yaml'
export const expectedDir = 'expected'
export const reportFile = 'report.json'

/** The expected file of a target: `k8s.yaml`, `calico.yaml`, `cilium.yaml`. */
export const targetFile = (t: DialectName): string => `${t}.yaml`

/** What `expected/` may hold, in the order files are checked and reported. */
export const expectedFiles: ReadonlyArray<string> = [...dialectNames.map(targetFile), reportFile]

/** The targets a case gets when neither `--to` nor its expected files say: cnp.yaml is written only when asked for. */
export const defaultTargets: ReadonlyArray<DialectName> = dialectNames.filter((t) => t !== 'cnp')

export interface Discovered {
  readonly cases: ReadonlyArray<Case>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

const at = (file: string): D.Location => ({ file, line: 1, col: 1 })

const errnoCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined

/** The file's bytes; `undefined` when it does not exist; a diagnostic when it cannot be read. */
export const readOptional = async (file: string): Promise<{ readonly bytes: Uint8Array | undefined; readonly diagnostic?: D.Diagnostic }> =>
  fs.readFile(file).then(
    (bytes) => ({ bytes }),
    (e: unknown) => (errnoCode(e) === 'ENOENT' ? { bytes: undefined } : { bytes: undefined, diagnostic: ioDiagnostic(file, e) })
  )

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const readDir = async (dir: string): Promise<{ readonly entries: ReadonlyArray<Dirent>; readonly diagnostic?: D.Diagnostic }> =>
  fs.readdir(dir, { withFileTypes: true }).then(
    (entries) => ({ entries: [...entries].sort((a, b) => byCodeUnit(a.name, b.name)) }),
    (e: unknown) => ({ entries: [], diagnostic: ioDiagnostic(dir, e) })
  )

// -------------------------------------------------------------------------------------
// discovery
// -------------------------------------------------------------------------------------

const walk = async (dir: string, out: Array<Case>, ds: Array<D.Diagnostic>): Promise<void> => {
  const r = await readDir(dir)
  if (r.diagnostic !== undefined) {
    ds.push(r.diagnostic)
    return
  }
  const visible = r.entries.filter((e) => !e.name.startsWith('.'))
  if (visible.some((e) => (e.name === inputFile || e.name === defaultsFile) && !e.isDirectory())) {
    out.push({ dir })
    return
  }
  if (visible.some((e) => e.name === expectedDir && e.isDirectory()))
    ds.push(D.error('golden-no-input', `${expectedDir}/ without ${inputFile} or ${defaultsFile}: not a golden case`, at(path.join(dir, expectedDir))))
  // symbolic links to folders are not followed, so a link cycle cannot loop
  for (const e of visible) if (e.isDirectory() && e.name !== expectedDir) await walk(path.join(dir, e.name), out, ds)
}

/** The cases under each folder, in argument order then name order; a folder given twice counts once. */
export const discover = async (dirs: ReadonlyArray<string>): Promise<Discovered> => {
  const cases: Array<Case> = []
  const ds: Array<D.Diagnostic> = []
  for (const dir of dirs) {
    const st = await fs.stat(dir).then(
      (s) => ({ ok: s.isDirectory(), error: undefined as unknown }),
      (e: unknown) => ({ ok: false, error: e })
    )
    if (!st.ok) {
      ds.push(st.error === undefined ? D.error('not-a-directory', 'not a directory', at(dir)) : ioDiagnostic(dir, st.error))
      continue
    }
    const found: Array<Case> = []
    const here: Array<D.Diagnostic> = []
    await walk(dir, found, here)
    ds.push(...here)
    if (found.length === 0 && !D.hasErrors(here)) ds.push(D.error('golden-no-cases', `no golden cases (folders with ${inputFile} or ${defaultsFile}) here`, at(dir)))
    for (const c of found) if (!cases.some((x) => path.resolve(x.dir) === path.resolve(c.dir))) cases.push(c)
  }
  return { cases, diagnostics: ds }
}
