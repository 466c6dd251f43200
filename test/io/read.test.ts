import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { render } from '../../src/diagnostics.js'
import { readInputs } from '../../src/io/read.js'

let dir = ''
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'netpolx-read-'))
})
afterEach(async () => {
  await fs.chmod(dir, 0o755).catch(() => undefined)
  await fs.rm(dir, { recursive: true, force: true })
})

const obj = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`

const write = async (rel: string, content: string | Uint8Array): Promise<string> => {
  const p = path.join(dir, rel)
  await fs.mkdir(path.dirname(p), { recursive: true })
  await fs.writeFile(p, content)
  return p
}

const names = (docs: ReadonlyArray<{ readonly file: string; readonly value: unknown }>): ReadonlyArray<string> =>
  docs.map((d) => `${path.relative(dir, d.file)}#${(d.value as { metadata: { name: string } }).metadata.name}`)

describe('readInputs', () => {
  it('reads files in argument order', async () => {
    const a = await write('a.yaml', obj('a'))
    const b = await write('b.yaml', `${obj('b1')}---\n${obj('b2')}`)
    const r = await readInputs([b, a])
    expect(r.diagnostics).toEqual([])
    expect(names(r.docs)).toEqual(['b.yaml#b1', 'b.yaml#b2', 'a.yaml#a'])
    expect(r.docs.map((d) => d.index)).toEqual([0, 1, 0])
    expect(r.docs[0]?.file).toBe(b)
  })

  it('reads any file given explicitly, whatever its extension', async () => {
    const p = await write('policies.txt', obj('t'))
    expect(names((await readInputs([p])).docs)).toEqual(['policies.txt#t'])
  })

  it('walks directories recursively in code-unit order, filtering by extension and skipping dot-entries', async () => {
    await write('b.yaml', obj('b'))
    await write('B.yml', obj('B'))
    await write('a.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }))
    await write('sub/z.yaml', obj('sub-z'))
    await write('sub/deeper/c.yml', obj('deep-c'))
    await write('a-1.yaml', obj('a-1'))
    await write('readme.md', 'not yaml')
    await write('x.yaml.bak', obj('bak'))
    await write('.hidden.yaml', obj('hidden'))
    await write('.git/config.yaml', obj('git'))
    const r = await readInputs([dir])
    expect(r.diagnostics).toEqual([])
    expect(names(r.docs)).toEqual(['B.yml#B', 'a-1.yaml#a-1', 'a.json#a', 'b.yaml#b', 'sub/deeper/c.yml#deep-c', 'sub/z.yaml#sub-z'])
  })

  it('shows directory entries joined to the path as given', async () => {
    await write('d/x.yaml', obj('x'))
    const rel = path.relative(process.cwd(), path.join(dir, 'd'))
    const r = await readInputs([`./${rel}`, `${rel}/`])
    expect(r.docs.map((d) => d.file)).toEqual([`./${rel}${path.sep}x.yaml`, `${rel}/x.yaml`])
  })

  it('keeps argument order, then directory order', async () => {
    await write('d/2.yaml', obj('d2'))
    await write('d/1.yaml', obj('d1'))
    const f = await write('f.yaml', obj('f'))
    const r = await readInputs([f, path.join(dir, 'd'), f])
    expect(names(r.docs)).toEqual(['f.yaml#f', 'd/1.yaml#d1', 'd/2.yaml#d2', 'f.yaml#f'])
  })

  it('warns about a directory without input files', async () => {
    await write('e/notes.txt', 'x')
    const e = path.join(dir, 'e')
    const r = await readInputs([e])
    expect(r.docs).toEqual([])
    expect(r.diagnostics.map(render)).toEqual([`${e}:1:1: warning empty-directory: no .yaml, .yml or .json files in directory`])
  })

  it('warns about symbolic links in a directory that dangle or loop, and about linked directories it does not follow (issue 14 item 6)', async () => {
    await write('d/ok.yaml', obj('ok'))
    const d = path.join(dir, 'd')
    await fs.symlink(path.join(dir, 'nowhere.yaml'), path.join(d, 'dangling.yaml'))
    await fs.symlink(path.join(d, 'loop-b.yaml'), path.join(d, 'loop-a.yaml'))
    await fs.symlink(path.join(d, 'loop-a.yaml'), path.join(d, 'loop-b.yaml'))
    await fs.symlink(d, path.join(d, 'self'))
    const r = await readInputs([d])
    expect(names(r.docs)).toEqual(['d/ok.yaml#ok'])
    expect(r.diagnostics.map(render)).toEqual([
      `${d}${path.sep}dangling.yaml:1:1: warning broken-symlink: symbolic link to nothing (dangling); skipped`,
      `${d}${path.sep}loop-a.yaml:1:1: warning broken-symlink: symbolic link loop; skipped`,
      `${d}${path.sep}loop-b.yaml:1:1: warning broken-symlink: symbolic link loop; skipped`,
      `${d}${path.sep}self:1:1: warning symlink-not-followed: symbolic link to a directory; not followed (give the directory with -f to read it)`
    ])
  })

  it('a symbolic link loop given directly is an error in plain words, not an engine or errno message', async () => {
    const a = path.join(dir, 'a.yaml')
    await fs.symlink(path.join(dir, 'b.yaml'), a)
    await fs.symlink(a, path.join(dir, 'b.yaml'))
    const r = await readInputs([a])
    expect(r.diagnostics.map(render)).toEqual([`${a}:1:1: error unreadable-input: symbolic link loop`])
  })

  it('reads 200,000 documents of one file without overflowing the stack (issue 14 item 4)', async () => {
    const items = Array.from({ length: 200_000 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } }))
    const f = await write('big.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items }))
    const r = await readInputs([f, f])
    expect(r.diagnostics).toEqual([])
    expect(r.docs.length).toBe(400_000)
  })

  it('reports a missing path and continues', async () => {
    const a = await write('a.yaml', obj('a'))
    const missing = path.join(dir, 'nope.yaml')
    const r = await readInputs([missing, a])
    expect(names(r.docs)).toEqual(['a.yaml#a'])
    expect(r.diagnostics.map(render)).toEqual([`${missing}:1:1: error no-such-file: no such file or directory`])
  })

  it('reads standard input once through the injected reader', async () => {
    let calls = 0
    const stdin = async (): Promise<Buffer> => {
      calls++
      return Buffer.from(`${obj('in1')}---\n${obj('in2')}`)
    }
    const a = await write('a.yaml', obj('a'))
    const r = await readInputs(['-', a, '-'], stdin)
    expect(calls).toBe(1)
    expect(r.docs.map((d) => `${d.file}#${(d.value as { metadata: { name: string } }).metadata.name}`)).toEqual([
      '<stdin>#in1',
      '<stdin>#in2',
      `${a}#a`
    ])
    expect(r.diagnostics.map(render)).toEqual(['netpolx: error usage: standard input (-) given more than once'])
    expect(r.docs[1]?.locate(['metadata', 'name'])).toEqual({ file: '<stdin>', line: 9, col: 9 })
  })

  it('reports a failing standard-input reader without rejecting', async () => {
    const r = await readInputs(['-'], () => Promise.reject(new Error('EOF too soon')))
    expect(r.diagnostics.map(render)).toEqual(['<stdin>:1:1: error unreadable-input: cannot read: EOF too soon'])
  })

  it('rejects invalid UTF-8 and NUL bytes as binary input', async () => {
    const bad = await write('bad.yaml', new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))
    const nul = await write('nul.yaml', new Uint8Array([0x61, 0x3a, 0x00, 0x0a]))
    const utf16 = await write('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(obj('u'), 'utf16le')]))
    const r = await readInputs([bad, nul, utf16])
    expect(r.docs).toEqual([])
    expect(r.diagnostics.map(render)).toEqual([
      `${bad}:1:1: error binary-input: not a text file: it is not valid UTF-8`,
      `${nul}:1:1: error binary-input: not a text file: it contains NUL bytes`,
      `${utf16}:1:1: error binary-input: not a text file: it is UTF-16; netpolx reads UTF-8`
    ])
  })

  it('strips a UTF-8 byte-order mark', async () => {
    const p = await write('bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(obj('bom'))]))
    const r = await readInputs([p])
    expect(r.diagnostics).toEqual([])
    expect(names(r.docs)).toEqual(['bom.yaml#bom'])
    expect(r.docs[0]?.locate(['kind'])).toEqual({ file: p, line: 2, col: 7 })
  })

  it('passes parse diagnostics through with the display name', async () => {
    const p = await write('dup.yaml', 'a: 1\na: 2\n')
    expect((await readInputs([p])).diagnostics.map(render)).toEqual([`${p}:2:1: error yaml-syntax: Map keys must be unique`])
  })
})
