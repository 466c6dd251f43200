/** `--out DIR` file names (confined, injective) and ownership (the manifest, stale files, foreign files). */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeComponent, fileName, fileNames, manifestName, parseManifest, writeDirectory } from '../../src/io/outdir.js'
import { params } from '../property.js'

let dir = ''
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'netpolx-outdir-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const obj = (kind: string, namespace: string | undefined, name: string): unknown => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(namespace === undefined ? {} : { namespace }) }
})

/** Every entry under `root`, relative and sorted (files, links, directories). */
const tree = async (root: string): Promise<ReadonlyArray<string>> =>
  (await fs.readdir(root, { recursive: true })).map(String).sort()

describe('fileName', () => {
  it('keeps Kubernetes names readable', () => {
    expect(fileName({ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-dns.v2' }, 'yaml')).toBe('networkpolicy_shop_allow-dns.v2.yaml')
    expect(fileName({ kind: 'GlobalNetworkPolicy', namespace: undefined, name: 'deny' }, 'json')).toBe('globalnetworkpolicy_deny.json')
  })

  it('turns a traversal into one file name (issue 14 reproducer)', () => {
    expect(fileName({ kind: 'NetworkPolicy', namespace: 'a', name: '../../../../../escaped' }, 'yaml')).toBe('networkpolicy_a_..%2F..%2F..%2F..%2F..%2Fescaped.yaml')
    expect(fileName({ kind: 'NetworkPolicy', namespace: '/', name: '/' }, 'yaml')).toBe('networkpolicy_%2F_%2F.yaml')
  })

  it('escapes shell metacharacters, separators and upper case', () => {
    expect(encodeComponent('$(rm -rf x); `y` *')).toBe('%24%28rm%20-rf%20x%29%3B%20%60y%60%20%2A')
    expect(encodeComponent('a_b')).toBe('a%5Fb')
    expect(encodeComponent('Web')).toBe('%57eb')
    expect(encodeComponent('é')).toBe('%C3%A9')
  })

  it('never starts with . or -', () => {
    expect(fileName({ kind: '.hidden', namespace: undefined, name: 'x' }, 'yaml')).toBe('%2Ehidden_x.yaml')
    expect(fileName({ kind: '-rf', namespace: undefined, name: 'x' }, 'yaml')).toBe('%2Drf_x.yaml')
  })

  it('shortens a long name with a stable hash, within 255 bytes', () => {
    const long = (c: string) => fileName({ kind: 'NetworkPolicy', namespace: 'a', name: `${'x'.repeat(240)}${c}` }, 'yaml')
    expect(long('1').length).toBe(255)
    expect(long('1')).toMatch(/~[0-9a-f]{16}\.yaml$/)
    expect(long('1')).not.toBe(long('2'))
    expect(long('1')).toBe(long('1'))
  })
})

describe('fileNames', () => {
  it('keeps a/b_c and a_b/c apart, and a/Web and a/web (issue 14 reproducer)', () => {
    const r = fileNames([obj('NetworkPolicy', 'a', 'b_c'), obj('NetworkPolicy', 'a_b', 'c'), obj('NetworkPolicy', 'a', 'Web'), obj('NetworkPolicy', 'a', 'web')], 'yaml')
    expect(r).toEqual(E.right(['networkpolicy_a_b%5Fc.yaml', 'networkpolicy_a%5Fb_c.yaml', 'networkpolicy_a_%57eb.yaml', 'networkpolicy_a_web.yaml']))
  })

  it('does not call an object without a namespace cluster-scoped', () => {
    expect(fileNames([obj('ConfigMap', undefined, 'c')], 'yaml')).toEqual(E.right(['configmap_c.yaml']))
  })

  it('is an error, naming both objects, when two objects would share a file', () => {
    expect(fileNames([obj('NetworkPolicy', 'a', 'web'), obj('Networkpolicy', 'a', 'web')], 'yaml')).toEqual(
      E.left('NetworkPolicy a/web and Networkpolicy a/web would both be written to networkpolicy_a_web.yaml; a directory of output holds one file per kind, namespace and name (write to a single file instead, without --out DIR)')
    )
    expect(E.isLeft(fileNames([obj('NetworkPolicy', 'a', 'web'), obj('NetworkPolicy', 'a', 'web')], 'yaml'))).toBe(true)
  })

  it('refuses an object without a name', () => {
    expect(fileNames([{ kind: 'ConfigMap', metadata: {} }], 'yaml')).toEqual(E.left('a ConfigMap without metadata.name cannot be written to a file of its own'))
  })

  it('property: names are single components inside DIR, and distinct objects get distinct files (or an error)', () => {
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('..', '.', '/', '../../escaped', 'a/b', 'a_b', 'A', 'a', '~', '%2F', '$(x)', '\\', '-rf'), fc.string({ unit: 'binary', maxLength: 300 }))
    const key = fc.record({ kind: fc.constantFrom('NetworkPolicy', 'Networkpolicy', 'CiliumNetworkPolicy', 'a/b', '..'), namespace: fc.option(text, { nil: undefined }), name: text.filter((s) => s !== '') })
    fc.assert(
      fc.property(fc.array(key, { maxLength: 8 }), (keys) => {
        const distinct = [...new Map(keys.map((k) => [JSON.stringify([k.kind, k.namespace === '' ? undefined : k.namespace, k.name]), k])).values()]
        const r = fileNames(distinct.map((k) => obj(k.kind, k.namespace, k.name)), 'yaml')
        const root = path.resolve('/out/dir')
        if (E.isLeft(r)) {
          // only kinds that differ in case alone may collide
          expect(r.left).toMatch(/would both be written to/)
          expect(distinct.some((k) => k.kind === 'Networkpolicy') && distinct.some((k) => k.kind === 'NetworkPolicy')).toBe(true)
          return
        }
        for (const n of r.right) {
          expect(path.dirname(path.resolve(root, n))).toBe(root)
          expect(n).toMatch(/^(?![.-])(?:[a-z0-9.~_-]|%[0-9A-F]{2})*%?[0-9A-F]?\.yaml$/)
          expect(Buffer.byteLength(n)).toBeLessThanOrEqual(255)
          expect(n).not.toBe(manifestName)
        }
        expect(new Set(r.right.map((n) => n.toLowerCase())).size).toBe(distinct.length)
      }),
      params(150)
    )
  })
})

describe('parseManifest', () => {
  it('ignores comments and anything that is not a plain file name', () => {
    expect([...parseManifest('# x\na.yaml\n\n../etc/passwd\nb/c\n..\nb.yaml\n')]).toEqual(['a.yaml', 'b.yaml'])
  })
})

describe('writeDirectory', () => {
  const out = () => path.join(dir, 'out')

  it('writes the files and a manifest, creating the directory', async () => {
    expect(await writeDirectory(out(), [{ name: 'b.yaml', content: 'b\n' }, { name: 'a.yaml', content: 'a\n' }])).toEqual(E.right(undefined))
    expect(await tree(out())).toEqual([manifestName, 'a.yaml', 'b.yaml'])
    expect(await fs.readFile(path.join(out(), manifestName), 'utf8')).toMatch(/\na\.yaml\nb\.yaml\n$/)
  })

  it('replaces its own files and removes the stale ones of an earlier run', async () => {
    await writeDirectory(out(), [{ name: 'a.yaml', content: 'a\n' }, { name: 'old.yaml', content: 'old\n' }])
    expect(await writeDirectory(out(), [{ name: 'a.yaml', content: 'a2\n' }, { name: 'new.yaml', content: 'n\n' }])).toEqual(E.right(undefined))
    expect(await tree(out())).toEqual([manifestName, 'a.yaml', 'new.yaml'])
    expect(await fs.readFile(path.join(out(), 'a.yaml'), 'utf8')).toBe('a2\n')
    expect(await writeDirectory(out(), [])).toEqual(E.right(undefined))
    expect(await tree(out())).toEqual([manifestName])
  })

  it('refuses, changing nothing, when the directory holds a file netpolx did not write', async () => {
    await writeDirectory(out(), [{ name: 'a.yaml', content: 'a\n' }])
    await fs.writeFile(path.join(out(), 'notes.txt'), 'mine\n')
    const r = await writeDirectory(out(), [{ name: 'b.yaml', content: 'b\n' }])
    expect(r).toEqual(
      E.left(`cannot write to ${out()}: it holds a file netpolx did not write (notes.txt); netpolx never deletes what it did not write, and the directory must hold exactly this run's output: use an empty or new directory`)
    )
    expect(await tree(out())).toEqual([manifestName, 'a.yaml', 'notes.txt'])
    expect(await fs.readFile(path.join(out(), 'a.yaml'), 'utf8')).toBe('a\n')
  })

  it('refuses a directory of files written by hand, even when their names are the ones it would write', async () => {
    await fs.mkdir(out())
    await fs.writeFile(path.join(out(), 'a.yaml'), 'by hand\n')
    expect(E.isLeft(await writeDirectory(out(), [{ name: 'a.yaml', content: 'a\n' }]))).toBe(true)
    expect(await fs.readFile(path.join(out(), 'a.yaml'), 'utf8')).toBe('by hand\n')
  })

  it('never writes through a symbolic link put where its file was', async () => {
    await writeDirectory(out(), [{ name: 'a.yaml', content: 'a\n' }])
    const victim = path.join(dir, 'victim')
    await fs.writeFile(victim, 'keep\n')
    await fs.rm(path.join(out(), 'a.yaml'))
    await fs.symlink(victim, path.join(out(), 'a.yaml'))
    const r = await writeDirectory(out(), [{ name: 'a.yaml', content: 'pwned\n' }])
    expect(E.isLeft(r) && r.left.includes('is no longer the regular file netpolx wrote')).toBe(true)
    expect(await fs.readFile(victim, 'utf8')).toBe('keep\n')
  })

  it('says "not a directory" when DIR is a file', async () => {
    await fs.writeFile(out(), 'x\n')
    expect(await writeDirectory(out(), [])).toEqual(E.left(`cannot write to ${out()}: not a directory`))
  })

  it('refuses a name that is not one component', async () => {
    expect(E.isLeft(await writeDirectory(out(), [{ name: '../x.yaml', content: '' }]))).toBe(true)
    expect(await fs.readdir(dir)).toEqual([])
  })
})
