/**
 * Atomic output: content goes to a temporary file in the target's directory, which is then
 * renamed over the target, so a reader never sees a partial file. Never throws nor rejects.
 *
 * A single named target (`writeFileAtomic`, i.e. `--out FILE`) is written through what the user
 * named: a symbolic link is followed and its final target replaced atomically (the link stays a
 * link); a FIFO or character device (`/dev/stdout`, a named pipe) is opened and written in place,
 * since renaming over it would replace it with a regular file. A dangling link, a socket or a
 * directory is refused. `--out DIR` never follows links (src/io/outdir.ts).
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'

const errnoCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined

const reason = (e: unknown): string => {
  switch (errnoCode(e)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'ENOENT':
      return 'no such file or directory'
    case 'ENOTDIR':
      return 'not a directory'
    case 'EISDIR':
      return 'is a directory'
    case 'ENOSPC':
      return 'no space left on device'
    case 'EROFS':
      return 'read-only file system'
    case 'EEXIST':
      return 'file exists'
    case 'ELOOP':
      return 'too many levels of symbolic links'
    default:
      return e instanceof Error ? e.message : String(e)
  }
}

export const cannotWrite = (target: string, e: unknown): string => `cannot write ${target}: ${reason(e)}`

const tempPathFor = (target: string): string =>
  path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)

export const removeQuietly = (p: string): Promise<void> => fs.rm(p, { force: true }).then(
  () => undefined,
  () => undefined
)

/** Writes `content` to a new temporary file next to `target` (creating parent directories); Left on failure, with the temp removed. */
export const writeTemp = async (target: string, content: string): Promise<E.Either<string, string>> => {
  try {
    await fs.mkdir(path.dirname(target), { recursive: true })
  } catch (e) {
    return E.left(cannotWrite(target, e))
  }
  const existing = await fs.stat(target).then(
    (s) => s,
    () => undefined
  )
  // checked before anything is written, so that a batch fails before any target is replaced
  if (existing?.isDirectory() === true) return E.left(cannotWrite(target, Object.assign(new Error('is a directory'), { code: 'EISDIR' })))
  const mode = existing?.isFile() === true ? existing.mode & 0o7777 : 0o666
  const temp = tempPathFor(target)
  try {
    const fh = await fs.open(temp, 'wx', mode)
    try {
      await fh.writeFile(content, 'utf8')
      // the open mode is filtered by the umask; a replaced file keeps its exact mode
      if (existing?.isFile() === true) await fh.chmod(mode)
      await fh.sync()
    } finally {
      await fh.close()
    }
    return E.right(temp)
  } catch (e) {
    await removeQuietly(temp)
    return E.left(cannotWrite(target, e))
  }
}

type Target =
  | { readonly _tag: 'file'; readonly path: string }
  | { readonly _tag: 'stream'; readonly path: string }

/** Where `--out FILE` really writes: see the module header. */
const resolveTarget = async (target: string): Promise<E.Either<string, Target>> => {
  let real = target
  try {
    const l = await fs.lstat(target)
    if (l.isSymbolicLink()) {
      try {
        real = await fs.realpath(target)
      } catch (e) {
        return E.left(`cannot write ${target}: ${errnoCode(e) === 'ENOENT' ? 'it is a symbolic link to nothing (dangling)' : reason(e)}`)
      }
    }
    const st = await fs.stat(real)
    if (st.isFIFO() || st.isCharacterDevice()) return E.right({ _tag: 'stream', path: real })
    if (st.isDirectory()) return E.left(cannotWrite(target, Object.assign(new Error('is a directory'), { code: 'EISDIR' })))
    if (!st.isFile()) return E.left(`cannot write ${target}: not a regular file, FIFO or device`)
    return E.right({ _tag: 'file', path: real })
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return E.right({ _tag: 'file', path: target })
    return E.left(cannotWrite(target, e))
  }
}

/** Writes one file atomically (parent directories are created), through a symbolic link, FIFO or device. */
export const writeFileAtomic = async (target: string, content: string): Promise<E.Either<string, void>> => {
  const where = await resolveTarget(target)
  if (E.isLeft(where)) return where
  if (where.right._tag === 'stream') {
    try {
      await fs.writeFile(where.right.path, content, { encoding: 'utf8', flag: 'w' })
      return E.right(undefined)
    } catch (e) {
      return E.left(cannotWrite(target, e))
    }
  }
  const real = where.right.path
  const temp = await writeTemp(real, content)
  if (E.isLeft(temp)) return E.left(real === target ? temp.left : temp.left.replace(`cannot write ${real}`, `cannot write ${target} (${real})`))
  try {
    await fs.rename(temp.right, real)
    return E.right(undefined)
  } catch (e) {
    await removeQuietly(temp.right)
    return E.left(cannotWrite(target, e))
  }
}

/**
 * Writes several files: every temporary file is written first, and the targets are replaced only
 * when all of them succeeded (parent directories are created). On failure no temporary file is left.
 */
export const writeFilesAtomic = async (
  entries: ReadonlyArray<{ readonly path: string; readonly content: string }>
): Promise<E.Either<string, void>> => {
  const temps: Array<{ readonly temp: string; readonly target: string }> = []
  for (const entry of entries) {
    const t = await writeTemp(entry.path, entry.content)
    if (E.isLeft(t)) {
      await Promise.all(temps.map((x) => removeQuietly(x.temp)))
      return t
    }
    temps.push({ temp: t.right, target: entry.path })
  }
  for (const [i, x] of temps.entries()) {
    try {
      await fs.rename(x.temp, x.target)
    } catch (e) {
      await Promise.all(temps.slice(i).map((y) => removeQuietly(y.temp)))
      return E.left(cannotWrite(x.target, e))
    }
  }
  return E.right(undefined)
}
