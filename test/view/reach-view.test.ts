/**
 * Readable truth tables (src/view/select.ts, src/view/reach-text.ts, src/view/html-reach.ts):
 * endpoint selectors, the plain / keyed / summarised table, CSV, the cut JSON, and the data an HTML
 * report embeds (self-contained; explanations equal to explain's).
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import { parseText } from '../../src/io/source.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import { k8s } from '../../src/semantics/k8s.js'
import { reach } from '../../src/semantics/table.js'
import { reachHtml } from '../../src/view/html-reach.js'
import { reachCsv, reachCutJson, reachText, tableLimit } from '../../src/view/reach-text.js'
import type { Selector } from '../../src/view/select.js'
import { parseSelector, selectIndices } from '../../src/view/select.js'

const pod = (ns: string, name: string, labels: string, ip: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}\nspec: {containers: [{name: c}]}\nstatus: {podIP: ${ip}}\n`

const cluster = (pods: ReadonlyArray<string>): Inventory =>
  load(parseText('cluster.yaml', ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-with-a-long-namespace-name}\n', ...pods].join('---\n')).docs).inventory

const small = cluster([pod('shop', 'web', 'app: web', '10.0.0.1'), pod('shop', 'db', 'app: db', '10.0.0.2'), pod('team-with-a-long-namespace-name', 'worker', 'app: worker', '10.0.1.1'), pod('team-with-a-long-namespace-name', 'worker-2', 'app: worker', '10.0.1.2')])

const policies = parseDocs(
  parseText(
    'p.yaml',
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
`
  ).docs
).set

const sel = (...texts: ReadonlyArray<string>): ReadonlyArray<Selector> =>
  texts.map((t) => {
    const s = parseSelector(t)
    if (E.isLeft(s)) throw new Error(s.left)
    return s.right
  })

const probe = [{ protocol: P.TCP, port: 80 }]

describe('selectors', () => {
  const r = reach(policies, small, k8s, probe)
  const ids = (s: ReadonlyArray<Selector>) => selectIndices(r.classes.endpoints, s).map((i) => r.classes.endpoints[i]?.id)

  it('globs, bare namespaces and label selectors; several are a union', () => {
    expect(ids(sel('shop'))).toEqual(['shop/db', 'shop/web'])
    expect(ids(sel('*/w*'))).toEqual(['shop/web', 'team-with-a-long-namespace-name/worker', 'team-with-a-long-namespace-name/worker-2'])
    expect(ids(sel('app=db'))).toEqual(['shop/db'])
    expect(ids(sel('app!=db'))).toEqual(['shop/web', 'team-with-a-long-namespace-name/worker', 'team-with-a-long-namespace-name/worker-2'])
    expect(ids(sel('!app'))).toEqual([])
    expect(ids(sel('app=db', 'team-*/*-2'))).toEqual(['shop/db', 'team-with-a-long-namespace-name/worker-2'])
    expect(ids([]).length).toBe(4)
  })

  it('refuses malformed label selectors and empty text', () => {
    expect(parseSelector('app==')).toEqual(E.right(expect.objectContaining({ _tag: 'labels' })))
    expect(E.isLeft(parseSelector('=web'))).toBe(true)
    expect(E.isLeft(parseSelector('!app=web'))).toBe(true)
    expect(E.isLeft(parseSelector(' '))).toBe(true)
  })
})

describe('reach text, csv, json', () => {
  const r = reach(policies, small, k8s, probe)
  const all = { rows: [0, 1, 2, 3], cols: [0, 1, 2, 3] }

  it('a table too wide for plain columns gets number keys and a legend by namespace', () => {
    expect(reachText(r, all)).toBe(
      [
        '80/TCP',
        '-                                         1 2 3 4',
        'shop/db                                   X . . .',
        'shop/web                                  . . . .',
        'team-with-a-long-namespace-name/worker    X . . .',
        'team-with-a-long-namespace-name/worker-2  X . . .',
        '',
        'columns (destinations):',
        '  shop:',
        '    1  db',
        '    2  web',
        '  team-with-a-long-namespace-name:',
        '    3  worker',
        '    4  worker-2',
        ''
      ].join('\n')
    )
  })

  it('a narrow cut stays plain', () => {
    expect(reachText(r, { rows: [1, 2], cols: [0] })).toBe('80/TCP\n-                                       shop/db\nshop/web                                .\nteam-with-a-long-namespace-name/worker  X\n')
    expect(reachText(r, { rows: [], cols: [0] })).toBe('no endpoint matches --from/--to\n')
  })

  it('CSV has one line per flow; the cut JSON names its sources and destinations', () => {
    expect(reachCsv(r, { rows: [0, 2], cols: [0] })).toBe('source,destination,port,protocol,allowed\nshop/db,shop/db,80,TCP,false\nteam-with-a-long-namespace-name/worker,shop/db,80,TCP,false\n')
    expect(JSON.parse(reachCutJson(r, { rows: [2], cols: [0, 1] }))).toEqual({
      cni: 'k8s',
      from: ['team-with-a-long-namespace-name/worker'],
      to: ['shop/db', 'shop/web'],
      tables: [{ port: 80, protocol: 'TCP', allowed: [[false, true]]}]
    })
  })

  it('too many endpoints: a namespace summary and how to narrow, not a flood', () => {
    const many = cluster(Array.from({ length: tableLimit + 1 }, (_, i) => pod('shop', `p${String(i).padStart(3, '0')}`, i % 2 === 0 ? 'app: db' : 'app: web', `10.1.${i >> 8}.${i & 255}`)))
    const big = reach(policies, many, k8s, probe)
    const idx = big.classes.endpoints.map((_, i) => i)
    const text = reachText(big, { rows: idx, cols: idx })
    expect(text).toBe(
      [
        `${tableLimit + 1} sources × ${tableLimit + 1} destinations is too large to print as a table; by namespace:`,
        '',
        '80/TCP',
        '-     1',
        'shop  ~',
        '',
        'columns (destination namespaces):',
        '  1  shop',
        "'.' every flow allowed, 'X' every flow denied, '~' some of each",
        '',
        "Narrow it with --from/--to (e.g. --from 'shop/*' --to 'app=db'), or write it whole with -o csv, -o json or -o html.",
        ''
      ].join('\n')
    )
  })
})

describe('HTML report data', () => {
  const all = { rows: [0, 1, 2, 3], cols: [0, 1, 2, 3] }
  const texts0 = (d: { sides: ReadonlyArray<{ expl: { texts: ReadonlyArray<{ a: boolean; t: string }> } }> }) => d.sides[0]?.expl.texts.map((t) => `${t.a}: ${t.t}`)
  it('is one self-contained page whose embedded explanations are the traces of explain', () => {
    const r = reach(policies, small, k8s, probe)
    const html = reachHtml(policies, small, k8s, r, all)
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true)
    expect(html).not.toMatch(/(src|href)\s*=|https?:\/\/|@import|url\(/)
    const json = /<script type="application\/json" id="data">(.*)<\/script>/.exec(html)?.[1] ?? ''
    const data = JSON.parse(json) as { ids: ReadonlyArray<string>; sides: ReadonlyArray<{ expl: { texts: ReadonlyArray<{ a: boolean; t: string }> } }> }
    expect(data.ids).toEqual(['shop/db', 'shop/web', 'team-with-a-long-namespace-name/worker', 'team-with-a-long-namespace-name/worker-2'])
    const texts = texts0(data)
    expect(texts).toContain('true: no policy selects it: not isolated')
    expect(texts).toContain('false: no rule matches; default deny: isolated by shop/db-from-web at p.yaml:1:1')
    expect(texts).toContain('true: rule 1 of shop/db-from-web (allow kind in {pod} && app == \'web\' && namespace in {shop}, ports any) at p.yaml:7:5 allows')
    expect(reachHtml(policies, small, k8s, r, all)).toBe(html)
  })
})
