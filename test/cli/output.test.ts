/**
 * Where `translate` writes (issue 14 items 1, 2, 3, 8; issue 13 §2, §4): `--out DIR` confined and
 * without silent collisions or stale files, `--out` onto links, FIFOs and through files, a closed
 * pipe, and the empty policy set written as an empty List.
 */
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as YAML from 'yaml'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const calicoPolicy = (namespace: string, name: string): string =>
  `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: ${JSON.stringify(name)}, namespace: ${JSON.stringify(namespace)}}\nspec: {selector: all(), types: [Ingress]}\n`

/** Every entry under `dir`, recursively, relative and sorted. */
const tree = (dir: string): ReadonlyArray<string> => fs.readdirSync(dir, { recursive: true }).map(String).sort()

describe('translate --out DIR', () => {
  // Policies with such names are refused on input (metadata.name must be a DNS-1123 subdomain); the
  // writer must not rely on that: objects of kinds netpolx passes through keep any name.
  const widget = (namespace: string, name: string): string =>
    `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${JSON.stringify(name)}, namespace: ${JSON.stringify(namespace)}}\n`

  it('refuses a policy named ../../../../../escaped on input and writes nothing (issue 14 reproducer)', async () => {
    const dir = tempFiles({ 'in/p.yaml': calicoPolicy('a', '../../../../../escaped') })
    const out = path.join(dir, 'outd')
    const r = await runCli(['translate', '-f', path.join(dir, 'in', 'p.yaml'), '--to', 'calico', '--out', `${out}/`])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('p.yaml:3:18: error invalid-field: metadata.name: invalid name "../../../../../escaped"')
    expect(tree(dir)).toEqual(['in', 'in/p.yaml'])
  })

  it('writes an object named ../../../../../escaped inside DIR (issue 14 reproducer)', async () => {
    const dir = tempFiles({ 'in/p.yaml': widget('a', '../../../../../escaped'), 'w/x/y/z/.keep': '' })
    const out = path.join(dir, 'w', 'x', 'y', 'z', 'outd')
    const r = await runCli(['translate', '-f', path.join(dir, 'in', 'p.yaml'), '--to', 'calico', '--out', `${out}/`])
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(tree(dir)).toEqual(['in', 'in/p.yaml', 'w', 'w/x', 'w/x/y', 'w/x/y/z', 'w/x/y/z/.keep', 'w/x/y/z/outd', 'w/x/y/z/outd/.netpolx-manifest', 'w/x/y/z/outd/widget_a_..%2F..%2F..%2F..%2F..%2Fescaped.yaml'])
  })

  it('keeps a/b_c and a_b/c, a/Web and a/web apart (issue 14 reproducer)', async () => {
    const dir = tempFiles({ 'p.yaml': [widget('a', 'b_c'), widget('a_b', 'c'), widget('a', 'Web'), widget('a', 'web')].join('---\n') })
    const out = path.join(dir, 'out')
    const r = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico', '--out', `${out}/`])
    expect(r.code).toBe(0)
    const files = tree(out).filter((f) => f !== '.netpolx-manifest')
    expect(files).toEqual(['widget_a%5Fb_c.yaml', 'widget_a_%57eb.yaml', 'widget_a_b%5Fc.yaml', 'widget_a_web.yaml'])
    const names = files.map((f) => (YAML.parse(fs.readFileSync(path.join(out, f), 'utf8')) as { metadata: { namespace: string; name: string } }).metadata)
    expect(names.map((m) => `${m.namespace}/${m.name}`).sort()).toEqual(['a/Web', 'a/b_c', 'a/web', 'a_b/c'])
  })

  it('replaces the files of its previous run and leaves no stale one', async () => {
    const dir = tempFiles({ 'one.yaml': calicoPolicy('a', 'old'), 'two.yaml': calicoPolicy('a', 'new') })
    const out = path.join(dir, 'out')
    expect((await runCli(['translate', '-f', path.join(dir, 'one.yaml'), '--to', 'calico', '--out', `${out}/`])).code).toBe(0)
    expect(tree(out)).toEqual(['.netpolx-manifest', 'networkpolicy_a_old.yaml'])
    expect((await runCli(['translate', '-f', path.join(dir, 'two.yaml'), '--to', 'calico', '--out', out])).code).toBe(0)
    expect(tree(out)).toEqual(['.netpolx-manifest', 'networkpolicy_a_new.yaml'])
  })

  it('refuses a directory holding files it did not write, and deletes nothing', async () => {
    const dir = tempFiles({ 'p.yaml': calicoPolicy('a', 'web'), 'out/README.md': '# mine\n' })
    const out = path.join(dir, 'out')
    const r = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico', '--out', out])
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `netpolx: error write-failed: cannot write to ${out}: it holds a file netpolx did not write (README.md); netpolx never deletes what it did not write, and the directory must hold exactly this run's output: use an empty or new directory\n`
    })
    expect(tree(out)).toEqual(['README.md'])
  })

  it('writes only the manifest for an empty policy set', async () => {
    const dir = tempFiles({ 'empty.yaml': 'apiVersion: v1\nkind: List\nitems: []\n' })
    const out = path.join(dir, 'out')
    expect(await runCli(['translate', '-f', path.join(dir, 'empty.yaml'), '--to', 'cilium', '--out', `${out}/`])).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(tree(out)).toEqual(['.netpolx-manifest'])
  })
})

describe('translate --out FILE', () => {
  it('says "not a directory" when a parent is a file (issue 14 reproducer)', async () => {
    const dir = tempFiles({ 'p.yaml': calicoPolicy('a', 'web'), 'a/file': 'x\n' })
    const target = path.join(dir, 'a', 'file', 'x.yaml')
    const r = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico', '--out', target])
    expect(r).toEqual({ code: 2, stdout: '', stderr: `netpolx: error write-failed: cannot write ${target}: not a directory\n` })
  })

  it('writes through a symbolic link: the link stays, its target gets the output', async () => {
    const dir = tempFiles({ 'p.yaml': calicoPolicy('a', 'web'), 'real/out.yaml': 'old\n' })
    fs.symlinkSync(path.join(dir, 'real', 'out.yaml'), path.join(dir, 'link.yaml'))
    const r = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico', '--out', path.join(dir, 'link.yaml')])
    expect(r.code).toBe(0)
    expect(fs.lstatSync(path.join(dir, 'link.yaml')).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(path.join(dir, 'real', 'out.yaml'), 'utf8')).toContain('name: web')
    expect(tree(path.join(dir, 'real'))).toEqual(['out.yaml'])
  })

  it('refuses a dangling symbolic link', async () => {
    const dir = tempFiles({ 'p.yaml': calicoPolicy('a', 'web') })
    fs.symlinkSync(path.join(dir, 'nowhere', 'x.yaml'), path.join(dir, 'link.yaml'))
    const r = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico', '--out', path.join(dir, 'link.yaml')])
    expect(r).toEqual({ code: 2, stdout: '', stderr: `netpolx: error write-failed: cannot write ${path.join(dir, 'link.yaml')}: it is a symbolic link to nothing (dangling)\n` })
  })

  it('writes into a FIFO instead of replacing it with a regular file', async () => {
    const dir = tempFiles({ 'p.yaml': calicoPolicy('a', 'web') })
    const fifo = path.join(dir, 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const reader = new Promise<string>((resolve) => {
      const chunks: Array<Buffer> = []
      const s = fs.createReadStream(fifo)
      s.on('data', (c) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)))
      s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    })
    const r = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico', '--out', fifo])
    expect(r.code).toBe(0)
    expect(await reader).toContain('name: web')
    expect(fs.statSync(fifo).isFIFO()).toBe(true)
  })
})

describe('the empty policy set (issue 13 §2)', () => {
  for (const to of ['k8s', 'calico', 'cilium']) {
    it(`translate --to ${to} writes an empty List, in YAML and JSON, that reads back`, async () => {
      const dir = tempFiles({ 'empty.yaml': 'apiVersion: v1\nkind: List\nitems: []\n' })
      const y = await runCli(['translate', '-f', path.join(dir, 'empty.yaml'), '--to', to])
      expect(y).toEqual({ code: 0, stdout: 'apiVersion: v1\nkind: List\nitems: []\n', stderr: '' })
      const j = await runCli(['translate', '-f', path.join(dir, 'empty.yaml'), '--to', to, '-o', 'json'])
      expect(j).toEqual({ code: 0, stdout: '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": []\n}\n', stderr: '' })
      fs.writeFileSync(path.join(dir, 'out.yaml'), y.stdout)
      fs.writeFileSync(path.join(dir, 'out.json'), j.stdout)
      for (const f of ['out.yaml', 'out.json']) expect(await runCli(['translate', '-f', path.join(dir, f), '--to', to])).toEqual(y)
    })
  }

  it('reach and equiv accept an empty policy set: everything allowed', async () => {
    const cluster = [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, image: i}]}\nstatus: {podIP: 10.0.0.1}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\nspec: {containers: [{name: c, image: i}]}\nstatus: {podIP: 10.0.0.2}'
    ].join('\n---\n')
    const deny = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n'
    const dir = tempFiles({ 'cluster.yaml': cluster, 'empty.yaml': 'apiVersion: v1\nkind: List\nitems: []\n', 'deny.yaml': deny })
    const r = await runCli(['reach', '-f', path.join(dir, 'empty.yaml'), '--cluster', path.join(dir, 'cluster.yaml'), '--port', '80'])
    expect(r).toEqual({ code: 0, stdout: '80/TCP\n-    x/a x/b\nx/a  .   .\nx/b  .   .\n', stderr: '' })
    const e = await runCli(['equiv', '--left', path.join(dir, 'empty.yaml'), '--right', path.join(dir, 'deny.yaml'), '--cluster', path.join(dir, 'cluster.yaml'), '--port', '80'])
    expect(e.code).toBe(1)
    expect(e.stdout).toContain('x/a -> x/b 80/TCP: left allows')
  })
})

describe('a closed pipe (issue 14 reproducer)', () => {
  it('translate | head -c 10 ends quietly, with no stack trace', async () => {
    // far more than a pipe buffer holds, cheap to produce: passed-through objects
    const docs = Array.from({ length: 40 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: ns}\ndata: {blob: ${'x'.repeat(20000)}}\n`)
    const dir = tempFiles({ 'big.yaml': docs.join('---\n') })
    const child = spawn(process.execPath, [path.join(root, 'bin', 'netpolx'), 'translate', '-f', path.join(dir, 'big.yaml'), '--to', 'k8s'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString('utf8')))
    const head = await new Promise<string>((resolve) => {
      child.stdout.once('data', (c: Buffer) => {
        // what `head -c 10` does: take 10 bytes, close the pipe
        child.stdout.destroy()
        resolve(c.toString('utf8').slice(0, 10))
      })
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    expect(head).toBe('apiVersion')
    expect(stderr).toBe('')
    expect(code).toBe(141)
  })
})
