import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileAtomic, writeFilesAtomic } from '../../src/io/write.js'

let dir = ''
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'netpolx-write-'))
})
afterEach(async () => {
  await fs.chmod(dir, 0o755).catch(() => undefined)
  await fs.rm(dir, { recursive: true, force: true })
})

/** Every file under `dir`, relative and sorted. */
const tree = async (): Promise<ReadonlyArray<string>> => {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

describe('writeFileAtomic', () => {
  it('writes a new file and leaves no temporary file', async () => {
    const p = path.join(dir, 'out.yaml')
    expect(await writeFileAtomic(p, 'a: 1\n')).toEqual(E.right(undefined))
    expect(await fs.readFile(p, 'utf8')).toBe('a: 1\n')
    expect(await tree()).toEqual(['out.yaml'])
  })

  it('replaces an existing file, keeping its mode', async () => {
    const p = path.join(dir, 'out.yaml')
    await fs.writeFile(p, 'old\n', { mode: 0o640 })
    await fs.chmod(p, 0o640)
    expect(E.isRight(await writeFileAtomic(p, 'new\n'))).toBe(true)
    expect(await fs.readFile(p, 'utf8')).toBe('new\n')
    expect((await fs.stat(p)).mode & 0o777).toBe(0o640)
    expect(await tree()).toEqual(['out.yaml'])
  })

  it('creates parent directories', async () => {
    const p = path.join(dir, 'a', 'b', 'out.json')
    expect(E.isRight(await writeFileAtomic(p, '{}\n'))).toBe(true)
    expect(await tree()).toEqual([path.join('a', 'b', 'out.json')])
  })

  it('fails without a partial target or a temporary file when the target is a directory', async () => {
    const target = path.join(dir, 'out')
    await fs.mkdir(target)
    await fs.writeFile(path.join(target, 'keep.yaml'), 'x\n')
    expect(await writeFileAtomic(target, 'a: 1\n')).toEqual(E.left(`cannot write ${target}: is a directory`))
    expect(await tree()).toEqual([path.join('out', 'keep.yaml')])
  })

  it('fails when a parent is a file', async () => {
    await fs.writeFile(path.join(dir, 'file'), 'x\n')
    const target = path.join(dir, 'file', 'out.yaml')
    const r = await writeFileAtomic(target, 'a: 1\n')
    expect(E.isLeft(r) && r.left.startsWith(`cannot write ${target}: `)).toBe(true)
    expect(await tree()).toEqual(['file'])
  })
})

describe('writeFilesAtomic', () => {
  it('writes every file, creating directories', async () => {
    const r = await writeFilesAtomic([
      { path: path.join(dir, 'out', 'a.yaml'), content: 'a\n' },
      { path: path.join(dir, 'out', 'b.yaml'), content: 'b\n' }
    ])
    expect(r).toEqual(E.right(undefined))
    expect(await tree()).toEqual([path.join('out', 'a.yaml'), path.join('out', 'b.yaml')])
    expect(await fs.readFile(path.join(dir, 'out', 'b.yaml'), 'utf8')).toBe('b\n')
  })

  it('writes nothing when one temporary file cannot be written', async () => {
    await fs.writeFile(path.join(dir, 'blocker'), 'x\n')
    const bad = path.join(dir, 'blocker', 'b.yaml')
    const r = await writeFilesAtomic([
      { path: path.join(dir, 'out', 'a.yaml'), content: 'a\n' },
      { path: bad, content: 'b\n' }
    ])
    expect(E.isLeft(r) && r.left.startsWith(`cannot write ${bad}: `)).toBe(true)
    expect(await tree()).toEqual(['blocker'])
  })

  it('replaces nothing and leaves no temporary files when one target is a directory', async () => {
    await fs.mkdir(path.join(dir, 'out', 'b.yaml'), { recursive: true })
    await fs.writeFile(path.join(dir, 'out', 'b.yaml', 'keep'), 'x\n')
    const r = await writeFilesAtomic([
      { path: path.join(dir, 'out', 'a.yaml'), content: 'a\n' },
      { path: path.join(dir, 'out', 'b.yaml'), content: 'b\n' },
      { path: path.join(dir, 'out', 'c.yaml'), content: 'c\n' }
    ])
    expect(r).toEqual(E.left(`cannot write ${path.join(dir, 'out', 'b.yaml')}: is a directory`))
    const files = await tree()
    expect(files).toEqual([path.join('out', 'b.yaml', 'keep')])
  })

  it('keeps the mode of a replaced file exactly, whatever the umask', async () => {
    const p = path.join(dir, 'shared.yaml')
    await fs.writeFile(p, 'old\n')
    await fs.chmod(p, 0o666)
    expect(await writeFilesAtomic([{ path: p, content: 'new\n' }])).toEqual(E.right(undefined))
    expect((await fs.stat(p)).mode & 0o777).toBe(0o666)
    expect(await fs.readFile(p, 'utf8')).toBe('new\n')
  })

  it('accepts an empty list', async () => {
    expect(await writeFilesAtomic([])).toEqual(E.right(undefined))
  })
})
