/**
 * The pipeline's edges (issues 13 §4, 14 item 5): duplicate objects, canonical order, generated
 * names within 253 characters, the run fidelity when findings err both ways, the model chosen for
 * a mixed set, and messages that cite no internal notes.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fitName, namer } from '../dialects/names.js'
import * as D from '../src/diagnostics.js'
import { parseText } from '../src/io/source.js'
import { dialectByName, mixedCniNote, parseDocs, translate } from '../src/pipeline.js'
import { runCli, tempFiles } from './cli/harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const knp = (name: string, app: string, namespace = 'x') =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  podSelector: {matchLabels: {app: ${app}}}\n  policyTypes: [Ingress]\n`

const parse = (files: Readonly<Record<string, string>>) => parseDocs(Object.entries(files).flatMap(([f, t]) => parseText(f, t).docs))

describe('duplicate objects (issue 14 item 5)', () => {
  it('two different documents with one kind/namespace/name are an error at each copy, whatever the order', () => {
    const p = parse({ 'a.yaml': knp('web', 'web'), 'b.yaml': knp('web', 'api') })
    const expected = [
      'a.yaml:1:1: error duplicate-object: NetworkPolicy x/web is defined 2 times, differently (a.yaml:1:1, b.yaml:1:1); a cluster holds one object per kind, namespace and name and the last kubectl apply replaces the others, so which one is enforced depends on the order of the files: keep one',
      'b.yaml:1:1: error duplicate-object: NetworkPolicy x/web is defined 2 times, differently (a.yaml:1:1, b.yaml:1:1); a cluster holds one object per kind, namespace and name and the last kubectl apply replaces the others, so which one is enforced depends on the order of the files: keep one'
    ]
    expect(D.sort(p.diagnostics).map(D.render)).toEqual(expected)
    expect(p.set.policies).toEqual([])
    expect(D.sort(parse({ 'b.yaml': knp('web', 'api'), 'a.yaml': knp('web', 'web') }).diagnostics).map(D.render)).toEqual(expected)
  })

  it('a defaulted namespace is the same object as the explicit one', () => {
    const implicit = knp('web', 'web').replace(', namespace: x', '')
    const p = parse({ 'a.yaml': implicit, 'b.yaml': knp('web', 'api', 'default') })
    expect(p.diagnostics.filter((d) => d.code === 'duplicate-object').length).toBe(2)
  })

  it('identical copies (a file given twice) are read once, with a warning', () => {
    const p = parse({ 'a.yaml': knp('web', 'web'), 'b.yaml': knp('web', 'web') })
    expect(p.set.policies.length).toBe(1)
    expect(p.diagnostics.map(D.render)).toEqual(['a.yaml:1:1: warning duplicate-object: NetworkPolicy x/web is given 2 times, identically (a.yaml:1:1, b.yaml:1:1); it is read once'])
    const twice = parseDocs([...parseText('a.yaml', knp('web', 'web')).docs, ...parseText('a.yaml', knp('web', 'web')).docs])
    expect(twice.diagnostics.map(D.render)).toEqual(['a.yaml:1:1: warning duplicate-object: NetworkPolicy x/web is given 2 times, identically (a.yaml:1:1); it is read once'])
  })

  it('the same name in different kinds, groups or namespaces is no duplicate', () => {
    const calico = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: web, namespace: x}\nspec: {selector: all(), types: [Ingress]}\n'
    const p = parse({ 'a.yaml': knp('web', 'web'), 'b.yaml': knp('web', 'web', 'y'), 'c.yaml': calico })
    expect(p.diagnostics.filter((d) => d.severity !== 'info')).toEqual([])
    expect(p.set.policies.map((q) => `${q.origin.dialect} ${q.origin.namespace ?? ''}/${q.origin.name}`)).toEqual(['calico x/web', 'k8s x/web', 'k8s y/web'])
  })

  it('the CLI refuses them with exit code 2 and writes nothing', async () => {
    const dir = tempFiles({ 'a.yaml': knp('web', 'web'), 'b.yaml': knp('web', 'api') })
    const r = await runCli(['translate', '-f', dir, '--to', 'calico'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('error duplicate-object: NetworkPolicy x/web is defined 2 times')
  })
})

describe('generated names (issue 13 §4)', () => {
  it('stay within 253 characters with a stable hash, and DNS-1123', () => {
    const long = `a${'b'.repeat(260)}`
    const n = fitName(long, '-default-allow')
    expect(n.length).toBe(253)
    expect(n).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
    expect(n).toMatch(/-[0-9a-f]{8}-default-allow$/)
    expect(fitName(long, '-default-allow')).toBe(n)
    expect(fitName(`${long}c`, '-default-allow')).not.toBe(n)
    expect(fitName('web', '-deny')).toBe('web-deny')
  })

  it('a generated -2 never takes a real name', () => {
    const name = namer(new Set(['NetworkPolicy\u0000x\u0000web-2', 'NetworkPolicy\u0000x\u0000web']))
    expect([name('NetworkPolicy', 'x', 'web'), name('NetworkPolicy', 'x', 'web'), name('NetworkPolicy', 'x', 'web-2')]).toEqual(['web', 'web-3', 'web-2'])
  })

  it('a Calico policy named with 253 characters keeps a valid name when its tier prefix is added', () => {
    const longName = `p${'x'.repeat(252)}`
    const tier = 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 10}\n'
    const gnp = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${longName}}\nspec:\n  tier: security\n  order: 1\n  selector: all()\n  ingress:\n  - action: Deny\n    source: {selector: "app == 'bad'"}\n`
    const p = parse({ 'a.yaml': `${tier}---\n${gnp}` })
    expect(p.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
    const target = dialectByName('calico')
    if (target === undefined) throw new Error('no calico dialect')
    const names = translate(p, target, undefined).objects.map((o) => String((o.object.metadata as { name: string }).name))
    expect(names[1]).toBe(fitName(`security.${longName}`))
    expect(names[1]?.length).toBe(253)
    expect(names[1]).toMatch(/^security\.px+-[0-9a-f]{8}$/)
  })
})

describe('honest labels (issue 13 §4)', () => {
  const both = [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata: {name: both, namespace: x}',
    'spec:',
    '  endpointSelector: {matchLabels: {app: web}}',
    '  ingress:',
    '  - fromEndpoints: [{matchLabels: {app: client}}]',
    '    toPorts:',
    '    - ports: [{port: "80", protocol: TCP}]',
    '      rules:',
    '        http: [{method: GET, path: "/"}]',
    '  egress:',
    '  - toFQDNs: [{matchName: example.com}]',
    '    toPorts:',
    '    - ports: [{port: "443", protocol: TCP}]',
    ''
  ].join('\n')

  it('a run with broader and narrower findings is broader-and-narrower', () => {
    expect(D.runFidelity(['broader', 'exact', 'narrower'])).toBe('broader-and-narrower')
    expect(D.runFidelity(['narrower', 'broader'])).toBe('broader-and-narrower')
    expect(D.runFidelity(['broader', 'broader'])).toBe('broader')
    expect(D.runFidelity(['broader', 'narrower', 'unsupported'])).toBe('unsupported')
    expect(D.isFaithful('broader-and-narrower')).toBe(false)
  })

  it('the report and the exit message say both', async () => {
    const dir = tempFiles({ 'p.yaml': both })
    const text = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'k8s'])
    expect(text.code).toBe(1)
    expect(text.stderr).toContain(
      'netpolx: error lossy: the translation is broader-and-narrower (the target allows more in some places and less in others); nothing written (use --allow-lossy to write it with comments)\n'
    )
    const json = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'k8s', '--report', 'json'])
    expect((JSON.parse(json.stderr) as { fidelity: string }).fidelity).toBe('broader-and-narrower')
  })
})

describe('the model chosen for a mixed set (issue 13 §4)', () => {
  const cnp = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: x}\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEndpoints: [{}]\n'
  const note =
    'netpolx: info cni-inferred: the input mixes Kubernetes NetworkPolicy and Cilium documents; all of them are read under the cilium model, as if Cilium enforced the whole set (give --from-cni to choose another)'

  it('is said by translate and reach, without -v', async () => {
    const cluster = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n'
    const dir = tempFiles({ 'p.yaml': `${knp('web', 'web')}---\n${cnp}`, 'cluster.yaml': cluster })
    const t = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico'])
    expect(t.stderr.split('\n')).toContain(note)
    const r = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'cluster.yaml')])
    expect(r.stderr.split('\n')).toContain(note.replace('--from-cni', '--cni'))
    const quiet = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'calico', '--from-cni', 'cilium'])
    expect(quiet.stderr).not.toContain('cni-inferred')
  })

  it('is not said for a set of one dialect', () => {
    expect(mixedCniNote(parse({ 'a.yaml': knp('web', 'web') }), '--cni')).toBeUndefined()
  })
})

describe('messages cite no internal notes (issue 13 §4)', () => {
  it('no string in src/ or dialects/ mentions research/ or §', () => {
    const offending: Array<string> = []
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name)
        if (e.isDirectory()) walk(p)
        else if (e.name.endsWith('.ts'))
          fs.readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              const t = line.trim()
              if (t.startsWith('*') || t.startsWith('//') || t.startsWith('/*')) return
              const code = line.replace(/\s\/\/\s.*$/, '')
              if (/['"`][^'"`]*(research\/|§)/.test(code)) offending.push(`${path.relative(root, p)}:${i + 1}: ${t}`)
            })
      }
    }
    walk(path.join(root, 'src'))
    walk(path.join(root, 'dialects'))
    expect(offending).toEqual([])
  })
})
