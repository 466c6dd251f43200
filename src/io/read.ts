/**
 * Input paths → SourceDocs: files, directories (walked recursively) and standard input.
 *
 * Asynchronous I/O that never throws nor rejects: every problem becomes a diagnostic.
 */
import { promises as fs } from 'node:fs'
import type { Dirent } from 'node:fs'
import * as path from 'node:path'
import * as D from '../diagnostics.js'
import type { Diagnostic } from '../diagnostics.js'
import { parseText } from './source.js'
import type { SourceDoc } from './source.js'

export interface ReadResult {
  readonly docs: ReadonlyArray<SourceDoc>
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

/** Shown in place of `-`. */
export const stdinName = '<stdin>'

const inputExtensions: ReadonlyArray<string> = ['.yaml', '.yml', '.json']

const at = (file: string) => ({ file, line: 1, col: 1 })

const errnoCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined

/** A file-system failure as a diagnostic about `file`. */
export const ioDiagnostic = (file: string, e: unknown): Diagnostic => {
  switch (errnoCode(e)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return D.error('no-such-file', 'no such file or directory', at(file))
    case 'EACCES':
    case 'EPERM':
      return D.error('unreadable-input', 'permission denied', at(file))
    case 'EISDIR':
      return D.error('unreadable-input', 'is a directory', at(file))
    case 'ELOOP':
      return D.error('unreadable-input', 'symbolic link loop', at(file))
    case 'EMFILE':
    case 'ENFILE':
      return D.error('unreadable-input', 'too many open files', at(file))
    case 'ENAMETOOLONG':
      return D.error('unreadable-input', 'file name too long', at(file))
    default:
      return D.error('unreadable-input', `cannot read: ${systemMessage(e)}`, at(file))
  }
}

/** A failure in the user's terms: never a JavaScript engine message such as "Maximum call stack size exceeded". */
const systemMessage = (e: unknown): string => {
  if (e instanceof RangeError) return 'the input is too large to process'
  const code = errnoCode(e)
  const msg = e instanceof Error ? e.message : String(e)
  // Node's system errors read "CODE: description, syscall 'path'": keep the description
  const m = /^[A-Z]+: ([^,]+)/.exec(msg)
  return m?.[1] ?? (code !== undefined ? code : msg)
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** A UTF-16 byte-order mark (as some Windows editors write). */
const looksLikeUtf16 = (bytes: Uint8Array): boolean => (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)

/** Bytes → parsed documents; invalid UTF-8 is `binary-input`, a UTF-8 BOM is dropped. */
export const parseBytes = (file: string, bytes: Uint8Array): ReadResult => {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return { docs: [], diagnostics: [D.error('binary-input', `not a text file: ${looksLikeUtf16(bytes) ? 'it is UTF-16; netpolx reads UTF-8' : 'it is not valid UTF-8'}`, at(file))] }
  }
  return parseText(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** `dir` as the user wrote it, then the relative path inside it (no normalisation of `./`). */
const joinDisplay = (dir: string, name: string): string => (dir.endsWith('/') || dir.endsWith(path.sep) ? `${dir}${name}` : `${dir}${path.sep}${name}`)

const isInputFile = (name: string): boolean => inputExtensions.some((ext) => name.endsWith(ext))

/** Files under `dir` with an input extension, dot-entries skipped, in code-unit order at every level. */
const walk = async (dir: string, display: string, ds: Array<Diagnostic>): Promise<ReadonlyArray<{ readonly real: string; readonly display: string }>> => {
  let entries: ReadonlyArray<Dirent>
  try {
    entries = await fs.readdir(dir, { withFileTypes: true })
  } catch (e) {
    ds.push(ioDiagnostic(display, e))
    return []
  }
  const out: Array<{ readonly real: string; readonly display: string }> = []
  for (const entry of [...entries].sort((a, b) => byCodeUnit(a.name, b.name))) {
    if (entry.name.startsWith('.')) continue
    const real = path.join(dir, entry.name)
    const shown = joinDisplay(display, entry.name)
    let isDir = entry.isDirectory()
    let isFile = entry.isFile()
    if (entry.isSymbolicLink()) {
      const st = await fs.stat(real).then(
        (s): { readonly ok: true; readonly dir: boolean; readonly file: boolean } => ({ ok: true, dir: s.isDirectory(), file: s.isFile() }),
        (e: unknown): { readonly ok: false; readonly code: string | undefined } => ({ ok: false, code: errnoCode(e) })
      )
      if (!st.ok) {
        // a link that dangles or loops is skipped, and said so (a file given by name would be an error)
        if (isInputFile(entry.name) || st.code === 'ELOOP')
          ds.push(D.warning('broken-symlink', st.code === 'ELOOP' ? 'symbolic link loop; skipped' : 'symbolic link to nothing (dangling); skipped', at(shown)))
        continue
      }
      // symlinked directories are not followed, so a link cycle cannot loop
      if (st.dir) {
        ds.push(D.warning('symlink-not-followed', 'symbolic link to a directory; not followed (give the directory with -f to read it)', at(shown)))
        continue
      }
      isDir = false
      isFile = st.file
    }
    if (isDir) for (const f of await walk(real, shown, ds)) out.push(f)
    else if (isFile && isInputFile(entry.name)) out.push({ real, display: shown })
  }
  return out
}

const readFile = async (real: string, display: string): Promise<ReadResult> =>
  fs.readFile(real).then(
    (bytes) => parseBytes(display, bytes),
    (e: unknown) => ({ docs: [], diagnostics: [ioDiagnostic(display, e)] })
  )

const readStdin = async (stdin: (() => Promise<Buffer>) | undefined): Promise<ReadResult> => {
  if (stdin === undefined) return { docs: [], diagnostics: [D.error('usage', 'standard input is not available', at(stdinName))] }
  try {
    return parseBytes(stdinName, await stdin())
  } catch (e) {
    return { docs: [], diagnostics: [D.error('unreadable-input', `cannot read: ${systemMessage(e)}`, at(stdinName))] }
  }
}

/** Reads every path in argument order (directory contents in sorted order); never rejects. */
export const readInputs = async (paths: ReadonlyArray<string>, stdin?: () => Promise<Buffer>): Promise<ReadResult> => {
  const docs: Array<SourceDoc> = []
  const ds: Array<Diagnostic> = []
  // element by element: spreading 200,000 documents into one call overflows the stack
  const add = (r: ReadResult): void => {
    for (const d of r.docs) docs.push(d)
    for (const d of r.diagnostics) ds.push(d)
  }
  let stdinRead = false
  for (const p of paths) {
    try {
      if (p === '-') {
        if (stdinRead) {
          ds.push(D.error('usage', 'standard input (-) given more than once'))
          continue
        }
        stdinRead = true
        add(await readStdin(stdin))
        continue
      }
      const st = await fs.stat(p).then(
        (s): { readonly ok: true; readonly dir: boolean } => ({ ok: true, dir: s.isDirectory() }),
        (e: unknown): { readonly ok: false; readonly error: unknown } => ({ ok: false, error: e })
      )
      if (!st.ok) {
        ds.push(ioDiagnostic(p, st.error))
        continue
      }
      if (st.dir) {
        const files = await walk(p, p, ds)
        if (files.length === 0) ds.push(D.warning('empty-directory', 'no .yaml, .yml or .json files in directory', at(p)))
        for (const f of files) add(await readFile(f.real, f.display))
      } else add(await readFile(p, p))
    } catch (e) {
      ds.push(ioDiagnostic(p, e))
    }
  }
  return { docs, diagnostics: ds }
}
