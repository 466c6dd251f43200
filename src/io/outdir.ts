/**
 * `--out DIR`: one file per object, confined to DIR, and DIR holding exactly one run's output.
 *
 * File names (pure, `fileNames`):
 * - `<kind>_<namespace>_<name>.<ext>` for an object with a namespace, `<kind>_<name>.<ext>` for one
 *   without (cluster-scoped, or a passed-through object whose namespace is not given: it is not
 *   called cluster-scoped). The kind is lower-cased; namespace and name keep `a-z 0-9 . -` and
 *   write every other byte of their UTF-8 form as `%HH` (upper-case hex), so `/`, `\`, `_`, upper
 *   case letters, `..` at the start and shell metacharacters never reach the file system as such:
 *   every name is one path component inside DIR, and distinct namespaces/names give distinct file
 *   names, also on a case-insensitive file system. A leading `.` or `-` is escaped too.
 * - A name past 255 bytes keeps its first part and ends with `~` and 16 hex digits of its SHA-256.
 * - Two objects whose names still coincide (same kind up to case, namespace and name) are an
 *   error naming both: never one file silently replacing the other.
 *
 * Ownership (`writeDirectory`): DIR/.netpolx-manifest lists the files netpolx wrote in DIR in its
 * last run. A run replaces and removes only those; when DIR holds anything else (a file netpolx
 * did not write, a sub-directory, a symbolic link where its file was) the run refuses before
 * writing anything and names what is in the way. Files are never written through a symbolic link
 * inside DIR. Order of the steps, so that an interrupted run leaves a directory the next run
 * still recognises: every temporary file, then the manifest of old and new files, then the
 * renames, then the removal of stale files, then the final manifest.
 *
 * Never throws nor rejects; failures are `Left` messages.
 */
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { cannotWrite, removeQuietly, writeFileAtomic, writeTemp } from './write.js'

export const manifestName = '.netpolx-manifest'

/** A file-name component's bytes kept as they are; every other byte is `%HH`. */
const safeByte = (b: number): boolean => (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e

const hex = (b: number): string => `%${b.toString(16).toUpperCase().padStart(2, '0')}`

/** An injective encoding of any string into `[a-z0-9.%-]`. */
export const encodeComponent = (s: string): string =>
  Array.from(Buffer.from(s, 'utf8'), (b) => (safeByte(b) ? String.fromCharCode(b) : hex(b))).join('')

const maxFileName = 255

const shorten = (name: string, ext: string): string => {
  const full = `${name}.${ext}`
  if (Buffer.byteLength(full, 'utf8') <= maxFileName) return full
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 16)
  // the encoded name is ASCII: its length is its byte length
  return `${name.slice(0, maxFileName - ext.length - 1 - hash.length - 1)}~${hash}.${ext}`
}

/** What a written object is, for file names and messages. */
export interface ObjectKey {
  readonly kind: string
  readonly namespace: string | undefined
  readonly name: string
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export const objectKey = (o: unknown): E.Either<string, ObjectKey> => {
  const r = typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : {}
  const meta = typeof r.metadata === 'object' && r.metadata !== null ? (r.metadata as Record<string, unknown>) : {}
  const kind = str(r.kind)
  const name = str(meta.name)
  const namespace = str(meta.namespace)
  if (kind === undefined || kind === '') return E.left('an object without a kind cannot be written to a file of its own')
  if (name === undefined || name === '') return E.left(`a ${kind} without metadata.name cannot be written to a file of its own`)
  return E.right({ kind, namespace: namespace === '' ? undefined : namespace, name })
}

export const showKey = (k: ObjectKey): string => `${k.kind} ${k.namespace === undefined ? '' : `${k.namespace}/`}${k.name}`

/** The file name of one object (see the module header). */
export const fileName = (k: ObjectKey, ext: string): string => {
  const parts = [k.kind.toLowerCase(), ...(k.namespace === undefined ? [] : [k.namespace]), k.name].map(encodeComponent)
  const joined = parts.join('_')
  const lead = joined.charAt(0)
  return shorten(lead === '.' || lead === '-' ? `${hex(lead.charCodeAt(0))}${joined.slice(1)}` : joined, ext)
}

/** One file name per object, in the objects' order; Left when an object has no kind or name, or two objects would share a file. */
export const fileNames = (objects: ReadonlyArray<unknown>, ext: string): E.Either<string, ReadonlyArray<string>> => {
  const names: Array<string> = []
  const taken = new Map<string, ObjectKey>()
  for (const o of objects) {
    const k = objectKey(o)
    if (E.isLeft(k)) return k
    const name = fileName(k.right, ext)
    // compared without case: a case-insensitive file system would merge them
    const folded = name.toLowerCase()
    const other = taken.get(folded)
    if (other !== undefined)
      return E.left(
        `${showKey(other)} and ${showKey(k.right)} would both be written to ${name}; a directory of output holds one file per kind, namespace and name (write to a single file instead, without --out DIR)`
      )
    taken.set(folded, k.right)
    names.push(name)
  }
  return E.right(names)
}

// -------------------------------------------------------------------------------------
// the manifest
// -------------------------------------------------------------------------------------

const manifestHeader = [
  '# netpolx output manifest: the files netpolx wrote in this directory in its last run.',
  '# netpolx replaces or removes only the files listed here, and refuses to write into a',
  '# directory holding anything else. Delete this file to make netpolx forget them.'
]

export const manifestText = (names: ReadonlyArray<string>): string => `${[...manifestHeader, ...[...names].sort()].join('\n')}\n`

export const parseManifest = (text: string): ReadonlySet<string> =>
  new Set(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#') && !l.includes('/') && !l.includes('\\') && l !== '.' && l !== '..')
  )

const errnoCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined

const listing = (names: ReadonlyArray<string>): string => {
  const shown = names.slice(0, 5).join(', ')
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown
}

/** Creates DIR when missing; Left when it, or a parent, is not a directory. */
const ensureDirectory = async (dir: string): Promise<E.Either<string, void>> => {
  try {
    const st = await fs.stat(dir)
    return st.isDirectory() ? E.right(undefined) : E.left(`cannot write to ${dir}: not a directory`)
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') return E.left(cannotWrite(dir, e))
  }
  try {
    await fs.mkdir(dir, { recursive: true })
    return E.right(undefined)
  } catch (e) {
    return E.left(cannotWrite(dir, e))
  }
}

/** The files netpolx owns in DIR, or Left naming what it does not own. */
const owned = async (dir: string): Promise<E.Either<string, ReadonlySet<string>>> => {
  let entries: ReadonlyArray<import('node:fs').Dirent>
  try {
    entries = await fs.readdir(dir, { withFileTypes: true })
  } catch (e) {
    return E.left(cannotWrite(dir, e))
  }
  const manifest = entries.find((e) => e.name === manifestName)
  if (manifest !== undefined && !manifest.isFile()) return E.left(`cannot write to ${dir}: ${manifestName} is not a regular file`)
  let mine: ReadonlySet<string> = new Set()
  if (manifest !== undefined) {
    try {
      mine = parseManifest(await fs.readFile(path.join(dir, manifestName), 'utf8'))
    } catch (e) {
      return E.left(cannotWrite(path.join(dir, manifestName), e))
    }
  }
  const foreign = entries.filter((e) => e.name !== manifestName && !mine.has(e.name)).map((e) => e.name).sort()
  if (foreign.length > 0)
    return E.left(
      `cannot write to ${dir}: it holds ${foreign.length === 1 ? 'a file' : 'files'} netpolx did not write (${listing(foreign)}); netpolx never deletes what it did not write, and the directory must hold exactly this run's output: use an empty or new directory`
    )
  const notFiles = entries.filter((e) => mine.has(e.name) && !e.isFile()).map((e) => e.name).sort()
  if (notFiles.length > 0)
    return E.left(`cannot write to ${dir}: ${listing(notFiles)} ${notFiles.length === 1 ? 'is' : 'are'} no longer the regular file netpolx wrote (a symbolic link, directory or other); move it away`)
  return E.right(new Set(entries.filter((e) => mine.has(e.name)).map((e) => e.name)))
}

/**
 * Writes `files` (names from `fileNames`) into `dir` so that it then holds exactly them and the
 * manifest; see the module header. Nothing is changed when the directory cannot be used.
 */
export const writeDirectory = async (
  dir: string,
  files: ReadonlyArray<{ readonly name: string; readonly content: string }>
): Promise<E.Either<string, void>> => {
  const root = path.resolve(dir)
  for (const f of files) {
    // the names are single components by construction; checked all the same
    if (path.dirname(path.resolve(root, f.name)) !== root || f.name === manifestName) return E.left(`cannot write ${f.name}: not a plain file name inside ${dir}`)
  }
  const made = await ensureDirectory(dir)
  if (E.isLeft(made)) return made
  const mine = await owned(dir)
  if (E.isLeft(mine)) return mine
  const temps: Array<{ readonly temp: string; readonly target: string }> = []
  const abandon = async (): Promise<void> => void (await Promise.all(temps.map((t) => removeQuietly(t.temp))))
  for (const f of files) {
    const target = path.join(root, f.name)
    const t = await writeTemp(target, f.content)
    if (E.isLeft(t)) {
      await abandon()
      return t
    }
    temps.push({ temp: t.right, target })
  }
  const names = files.map((f) => f.name)
  const both = await writeFileAtomic(path.join(root, manifestName), manifestText([...new Set([...mine.right, ...names])]))
  if (E.isLeft(both)) {
    await abandon()
    return both
  }
  for (const [i, t] of temps.entries()) {
    try {
      await fs.rename(t.temp, t.target)
    } catch (e) {
      await Promise.all(temps.slice(i).map((x) => removeQuietly(x.temp)))
      return E.left(cannotWrite(t.target, e))
    }
  }
  const keep = new Set(names)
  for (const stale of mine.right) {
    if (keep.has(stale)) continue
    try {
      await fs.rm(path.join(root, stale), { force: true })
    } catch (e) {
      return E.left(`cannot remove ${path.join(dir, stale)}, written by an earlier run: ${cannotWrite(stale, e).replace(/^cannot write [^:]*: /, '')}`)
    }
  }
  return writeFileAtomic(path.join(root, manifestName), manifestText(names))
}
