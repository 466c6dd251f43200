import { describe, expect, it, vi } from 'vitest'
import { render } from '../../src/diagnostics.js'
import type { Location } from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import type { Path, SourceDoc } from '../../src/io/source.js'

const diags = (file: string, text: string): ReadonlyArray<string> => parseText(file, text).diagnostics.map(render)

const pos = (l: Location): string => `${l.file}:${l.line}:${l.col}`

const docsOf = (file: string, text: string): ReadonlyArray<SourceDoc> => {
  const r = parseText(file, text)
  expect(r.diagnostics.map(render)).toEqual([])
  return r.docs
}

const at = (doc: SourceDoc | undefined, path: Path): string => (doc === undefined ? 'no document' : pos(doc.locate(path)))

const policy = [
  'apiVersion: networking.k8s.io/v1', // 1
  'kind: NetworkPolicy', // 2
  'metadata:', // 3
  '  name: web', // 4
  'spec:', // 5
  '  podSelector: {}', // 6
  '  ingress:', // 7
  '    - from:', // 8
  '        - ipBlock: {cidr: 10.0.0.0/8}', // 9
  '      ports:', // 10
  '        - port: 80', // 11
  '        - protocol: UDP', // 12
  '          port: 53', // 13
  ''
].join('\n')

describe('YAML documents', () => {
  it('splits a multi-document stream and skips empty documents', () => {
    const docs = docsOf('p.yaml', `---\n${policy}---\n# only a comment\n---\n\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n`)
    expect(docs.map((d) => [d.file, d.index, (d.value as { kind: string }).kind])).toEqual([
      ['p.yaml', 0, 'NetworkPolicy'],
      ['p.yaml', 1, 'Namespace']
    ])
    expect(docs[1]?.value).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } })
  })

  it('gives plain JS values', () => {
    const [doc] = docsOf('p.yaml', policy)
    expect(doc?.value).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web' },
      spec: {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 80 }, { protocol: 'UDP', port: 53 }] }]
      }
    })
  })

  it('locates nested paths at the value node', () => {
    const [doc] = docsOf('p.yaml', `# leading comment\n${policy}`)
    expect(at(doc, ['spec', 'ingress', 0, 'ports', 1, 'port'])).toBe('p.yaml:14:17')
    expect(at(doc, ['spec', 'ingress', 0, 'ports', 1, 'protocol'])).toBe('p.yaml:13:21')
    expect(at(doc, ['spec', 'ingress', 0, 'ports', 0])).toBe('p.yaml:12:11')
    expect(at(doc, ['spec', 'ingress', 0, 'from', 0, 'ipBlock', 'cidr'])).toBe('p.yaml:10:27')
    expect(at(doc, ['metadata', 'name'])).toBe('p.yaml:5:9')
    expect(at(doc, ['kind'])).toBe('p.yaml:3:7')
    expect(at(doc, [])).toBe('p.yaml:2:1')
  })

  it('locates a missing key at its nearest existing ancestor', () => {
    const [doc] = docsOf('p.yaml', policy)
    expect(at(doc, ['spec', 'ingress', 0, 'ports', 1, 'endPort'])).toBe('p.yaml:12:11')
    expect(at(doc, ['spec', 'ingress', 7, 'ports'])).toBe('p.yaml:8:5')
    expect(at(doc, ['metadata', 'namespace'])).toBe('p.yaml:4:3')
    expect(at(doc, ['status', 'x', 0])).toBe('p.yaml:1:1')
    // a scalar has no children
    expect(at(doc, ['metadata', 'name', 'x'])).toBe('p.yaml:4:9')
  })

  it('locates a key with an empty value at the key', () => {
    const [doc] = docsOf('p.yaml', 'apiVersion: v1\nkind: X\nspec:\n  a:\n  b: 1\n')
    expect(doc?.value).toEqual({ apiVersion: 'v1', kind: 'X', spec: { a: null, b: 1 } })
    expect(at(doc, ['spec', 'a'])).toBe('p.yaml:4:3')
  })

  it('locates within the document it belongs to', () => {
    const docs = docsOf('p.yaml', `${policy}---\n${policy}`)
    expect(at(docs[1], ['spec', 'ingress', 0, 'ports', 1, 'port'])).toBe('p.yaml:27:17')
    expect(at(docs[1], [])).toBe('p.yaml:15:1')
  })

  it('resolves anchors, aliases and merge keys, and locates through them', () => {
    const text = 'apiVersion: v1\nkind: X\nbase: &b\n  app: web\n  tier: 1\ncopy: *b\nmerged:\n  <<: *b\n  tier: 2\n'
    const [doc] = docsOf('a.yaml', text)
    expect(doc?.value).toEqual({
      apiVersion: 'v1',
      kind: 'X',
      base: { app: 'web', tier: 1 },
      copy: { app: 'web', tier: 1 },
      merged: { app: 'web', tier: 2 }
    })
    expect(at(doc, ['copy'])).toBe('a.yaml:6:7')
    expect(at(doc, ['copy', 'app'])).toBe('a.yaml:4:8')
    expect(at(doc, ['merged', 'app'])).toBe('a.yaml:4:8')
    expect(at(doc, ['merged', 'tier'])).toBe('a.yaml:9:9')
  })

  it('reports an undefined alias at the alias', () => {
    expect(diags('u.yaml', 'apiVersion: v1\nkind: X\nspec:\n  a: *nope\n')).toEqual([
      'u.yaml:4:6: error yaml-syntax: Unresolved alias (the anchor must be set before the alias): nope'
    ])
  })

  it('refuses a mapping or sequence used as a key (the library would stringify it), and never prints', () => {
    const spy = vi.spyOn(process, 'emitWarning')
    try {
      expect(diags('k.yaml', 'apiVersion: v1\nkind: X\n? [a, b]\n: 1\n')).toEqual([
        'k.yaml:3:3: error collection-key: a mapping or sequence used as a key: the keys of a Kubernetes object are strings'
      ])
      // issue 14: a mapping used as a label key
      expect(diags('l.yaml', 'apiVersion: v1\nkind: X\nmetadata:\n  labels:\n    ? {app: web}\n    : x\n')).toEqual([
        'l.yaml:5:7: error collection-key: a mapping or sequence used as a key: the keys of a Kubernetes object are strings'
      ])
      expect(spy).not.toHaveBeenCalled()
    } finally {
      spy.mockRestore()
    }
  })

  it('refuses an object larger than a cluster stores (1.5 MiB, etcd), alone or as a List item (issue 14 item 4)', () => {
    const peers = Array.from({ length: 45_000 }, (_, i) => ({ ipBlock: { cidr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32` } }))
    const big = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec: { podSelector: {}, egress: [{ to: peers }] } }
    expect(diags('big.json', JSON.stringify(big))).toEqual([
      'big.json:1:1: error object-too-large: the object is 1.6 MiB as JSON; a Kubernetes cluster stores at most 1.5 MiB per object (etcd\'s request limit)'
    ])
    const small = { ...big, metadata: { name: 'q', namespace: 'x' }, spec: { podSelector: {} } }
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${JSON.stringify(small)}\n- ${JSON.stringify(big)}\n`
    const r = parseText('list.yaml', list)
    expect(r.docs.map((d) => (d.value as { metadata: { name: string } }).metadata.name)).toEqual(['q'])
    expect(r.diagnostics.map(render)).toEqual([
      'list.yaml:5:3: error object-too-large: the object is 1.6 MiB as JSON; a Kubernetes cluster stores at most 1.5 MiB per object (etcd\'s request limit)'
    ])
  })

  it('ends deep nesting with a message about nesting depth, in YAML and JSON', () => {
    const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`
    // 99 levels under the document's own mapping: accepted
    expect(docsOf('ok.yaml', `apiVersion: v1\nkind: X\nd: ${deep(99)}\n`)).toHaveLength(1)
    expect(diags('d.yaml', `apiVersion: v1\nkind: X\nd: ${deep(100000)}\n`)).toEqual([
      'd.yaml:3:103: error nesting-depth: nested more than 100 levels deep: no Kubernetes policy resource nests this deep'
    ])
    const block = Array.from({ length: 150 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')
    expect(diags('b.yaml', `${block} x\n`)).toEqual([
      'b.yaml:101:201: error nesting-depth: nested more than 100 levels deep: no Kubernetes policy resource nests this deep'
    ])
    expect(diags('d.json', `{"d": ${deep(100000)}}`)).toEqual([
      'd.json:1:106: error json-syntax: nested more than 100 levels deep: no Kubernetes policy resource nests this deep'
    ])
  })

  it('turns an alias bomb into a syntax error', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (const [i, n] of ['b', 'c', 'd', 'e', 'f'].entries()) lines.push(`${n}: &${n} [${Array(10).fill(`*${'abcde'[i]}`).join(', ')}]`)
    expect(diags('bomb.yaml', `${lines.join('\n')}\n`)).toEqual([
      'bomb.yaml:1:1: error yaml-syntax: more than 1000 alias expansions in one document (a resource-exhaustion attack?)'
    ])
  })
})

describe('List wrappers', () => {
  const list = [
    'apiVersion: v1', // 1
    'kind: List', // 2
    'metadata:', // 3
    '  resourceVersion: ""', // 4
    'items:', // 5
    '- apiVersion: networking.k8s.io/v1', // 6
    '  kind: NetworkPolicy', // 7
    '  metadata:', // 8
    '    name: a', // 9
    '    managedFields:', // 10
    '    - manager: kubectl', // 11
    '  spec:', // 12
    '    podSelector: {}', // 13
    '  status: {}', // 14
    '- apiVersion: networking.k8s.io/v1', // 15
    '  kind: NetworkPolicy', // 16
    '  metadata: {name: b}', // 17
    '  spec:', // 18
    '    podSelector:', // 19
    '      matchLabels: {app: x}', // 20
    ''
  ].join('\n')

  it('gives one document per item, keeping status and managedFields', () => {
    const docs = docsOf('l.yaml', list)
    expect(docs.map((d) => [d.index, (d.value as { metadata: { name: string } }).metadata.name])).toEqual([
      [0, 'a'],
      [0, 'b']
    ])
    expect(docs[0]?.value).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'a', managedFields: [{ manager: 'kubectl' }] },
      spec: { podSelector: {} },
      status: {}
    })
  })

  it('locates relative to the item', () => {
    const docs = docsOf('l.yaml', list)
    expect(at(docs[0], [])).toBe('l.yaml:6:3')
    expect(at(docs[0], ['status'])).toBe('l.yaml:14:11')
    expect(at(docs[1], ['spec', 'podSelector', 'matchLabels', 'app'])).toBe('l.yaml:20:26')
    expect(at(docs[1], ['spec', 'ingress'])).toBe('l.yaml:19:5')
  })

  it('expands any kind ending in List, after other documents', () => {
    const docs = docsOf('l.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: NetworkPolicyList\nitems:\n- {kind: A}\n- {kind: B}\n')
    expect(docs.map((d) => [d.index, d.value])).toEqual([
      [0, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }],
      [1, { kind: 'A' }],
      [1, { kind: 'B' }]
    ])
    expect(at(docs[2], ['kind'])).toBe('l.yaml:9:10')
  })

  it('keeps a List without items as one document', () => {
    expect(docsOf('l.yaml', 'apiVersion: v1\nkind: List\n').map((d) => d.value)).toEqual([{ apiVersion: 'v1', kind: 'List' }])
  })

  it('reports items that are not objects', () => {
    expect(diags('l.yaml', 'kind: List\nitems:\n- {kind: A}\n- 3\n')).toEqual([
      'l.yaml:4:3: error not-an-object: expected a Kubernetes object (a mapping with apiVersion and kind), got a scalar'
    ])
  })
})

describe('JSON', () => {
  const json = '{\n  "apiVersion": "v1",\n  "kind": "X",\n  "spec": {"ports": [80,\n    443]}\n}\n'

  it('parses a JSON object and locates lazily', () => {
    const [doc] = docsOf('x.json', json)
    expect(doc?.value).toEqual({ apiVersion: 'v1', kind: 'X', spec: { ports: [80, 443] } })
    expect(doc?.index).toBe(0)
    expect(at(doc, ['spec', 'ports', 1])).toBe('x.json:5:5')
    expect(at(doc, ['spec', 'ports', 0])).toBe('x.json:4:22')
    expect(at(doc, ['spec', 'missing'])).toBe('x.json:4:11')
    expect(at(doc, [])).toBe('x.json:1:1')
  })

  it('expands a JSON List (kubectl get -o json)', () => {
    const text = JSON.stringify(
      { apiVersion: 'v1', kind: 'List', items: [{ kind: 'A', status: { x: 1 } }, { kind: 'B', metadata: { managedFields: [{ manager: 'm' }] } }] },
      null,
      2
    )
    const docs = docsOf('l.json', text)
    expect(docs.map((d) => d.value)).toEqual([
      { kind: 'A', status: { x: 1 } },
      { kind: 'B', metadata: { managedFields: [{ manager: 'm' }] } }
    ])
    expect(at(docs[1], ['metadata', 'managedFields', 0, 'manager'])).toBe('l.json:16:24')
  })

  it('treats a top-level array as one (invalid) document', () => {
    expect(diags('a.json', '\n  [{"kind": "A"}]')).toEqual([
      'a.json:2:3: error not-an-object: expected a Kubernetes object (a mapping with apiVersion and kind), got a sequence'
    ])
  })

  it('reports syntax errors with positions', () => {
    expect(diags('e.json', '{"a": 1,\n "b": }')).toEqual(['e.json:2:7: error json-syntax: unexpected character "}"'])
    expect(diags('e.json', '{"a": [1, 2,]}')).toEqual(['e.json:1:13: error json-syntax: unexpected character "]"'])
    expect(diags('e.json', '{"a": 1')).toEqual(['e.json:1:8: error json-syntax: unexpected end of JSON input'])
    expect(diags('e.json', '{"a": 1}\n{"b": 2}')).toEqual(['e.json:2:1: error json-syntax: unexpected character "{" after the JSON value'])
    expect(diags('e.json', '{"a" 1}')).toEqual(["e.json:1:6: error json-syntax: expected ':' after property name"])
    expect(diags('e.json', '{\n  "a": tru\n}')).toEqual(['e.json:2:8: error json-syntax: unexpected character "t"'])
    expect(diags('e.json', '{"a": "x\\q"}')).toEqual(['e.json:1:9: error json-syntax: invalid escape in string'])
  })

  it('reports duplicate keys (which JSON.parse would collapse)', () => {
    expect(diags('d.json', '{"a": 1,\n "a": 2}')).toEqual(['d.json:2:2: error json-syntax: duplicate key "a"'])
    expect(diags('d.json', '{"a": {"b": 1, "\\u0062": 2}}')).toEqual(['d.json:1:16: error json-syntax: duplicate key "b"'])
    expect(docsOf('d.json', '{"a": {"b": 1}, "c": {"b": 2}}').length).toBe(1)
  })

  it('accepts escapes and nesting up to the depth limit', () => {
    const [doc] = docsOf('n.json', `{"k": "a\\"b\\u00e9", "d": ${'['.repeat(99)}${']'.repeat(99)}}`)
    expect((doc?.value as { k: string }).k).toBe('a"bé')
  })
})

describe('errors', () => {
  it('empty and comment-only files', () => {
    expect(diags('e.yaml', '')).toEqual(['e.yaml:1:1: error empty-input: no documents in file'])
    expect(diags('e.yaml', '  \n\n')).toEqual(['e.yaml:1:1: error empty-input: no documents in file'])
    expect(diags('c.yaml', '# nothing\n# here\n')).toEqual(['c.yaml:1:1: error empty-input: no documents in file'])
    expect(diags('c.yaml', '---\n---\n# x\n')).toEqual(['c.yaml:1:1: error empty-input: no documents in file'])
    expect(diags('n.yaml', '~\n---\nnull\n')).toEqual(['n.yaml:1:1: error empty-input: no documents in file'])
  })

  it('documents that are not objects', () => {
    const r = parseText('s.yaml', 'apiVersion: v1\nkind: A\n---\n- a\n- b\n---\njust text\n')
    expect(r.docs.map((d) => d.value)).toEqual([{ apiVersion: 'v1', kind: 'A' }])
    expect(r.diagnostics.map(render)).toEqual([
      's.yaml:4:1: error not-an-object: expected a Kubernetes object (a mapping with apiVersion and kind), got a sequence',
      's.yaml:7:1: error not-an-object: expected a Kubernetes object (a mapping with apiVersion and kind), got a scalar'
    ])
  })

  it('YAML syntax errors: all reported, no documents', () => {
    const r = parseText('y.yaml', 'apiVersion: v1\nkind: A\n---\na: b: c\n---\nkind: B\nx: [1\ny: 2\n')
    expect(r.docs).toEqual([])
    expect(r.diagnostics.map(render)).toEqual([
      'y.yaml:4:4: error yaml-syntax: Nested mappings are not allowed in compact mappings',
      'y.yaml:8:1: error yaml-syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'
    ])
  })

  it('bad indentation', () => {
    expect(diags('i.yaml', 'a:\n  b: 1\n c: 2\n')).toEqual(['i.yaml:3:1: error yaml-syntax: All mapping items must start at the same column'])
  })

  it('duplicate keys', () => {
    expect(diags('d.yaml', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  name: b\n')).toEqual([
      'd.yaml:5:3: error yaml-syntax: Map keys must be unique'
    ])
  })

  it('NUL bytes', () => {
    expect(diags('b.yaml', 'apiVersion: v1\n\0\0kind: A\n')).toEqual(['b.yaml:1:1: error binary-input: not a text file: it contains NUL bytes'])
    expect(diags('b.json', '{"a": "\0"}')).toEqual(['b.json:1:1: error binary-input: not a text file: it contains NUL bytes'])
  })

  it('a byte-order mark is ignored', () => {
    expect(docsOf('b.yaml', '\ufeffapiVersion: v1\nkind: A\n').map((d) => d.value)).toEqual([{ apiVersion: 'v1', kind: 'A' }])
    expect(docsOf('b.json', '\ufeff{"kind": "A"}').map((d) => d.value)).toEqual([{ kind: 'A' }])
  })
})

describe('positions inside a string value', () => {
  const loc = (text: string, path: Path, char: number): string => {
    const doc = parseText('f.yaml', text).docs[0]
    if (doc === undefined) return 'no document'
    const l = doc.locate(path, char)
    return `${l.line}:${l.col}`
  }
  it('plain, single- and double-quoted scalars on one line', () => {
    expect(loc('kind: X\nspec:\n  selector: app == 1\n', ['spec', 'selector'], 7)).toBe('3:20')
    expect(loc("kind: X\nspec:\n  selector: 'app == 1'\n", ['spec', 'selector'], 7)).toBe('3:21')
    expect(loc('kind: X\nspec:\n  selector: "app == 1"\n', ['spec', 'selector'], 0)).toBe('3:14')
  })
  it('falls back to the start of the value when the text has escapes or folds', () => {
    expect(loc('kind: X\nspec:\n  selector: "a\\u003db"\n', ['spec', 'selector'], 2)).toBe('3:13')
    expect(loc('kind: X\nspec:\n  selector: >\n    app ==\n    1\n', ['spec', 'selector'], 7)).toBe('3:13')
  })
  it('in JSON input', () => {
    expect(loc('{"kind": "X", "spec": {"selector": "app == 1"}}', ['spec', 'selector'], 7)).toBe('1:44')
  })
})
