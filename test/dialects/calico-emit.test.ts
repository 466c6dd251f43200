/**
 * The Calico emitter: Calico's own KNP conversion (research/calico.md §5.2) case by case, the
 * forms chosen for every kind of peer, port and policy, and — the central property — that reading
 * the output back gives the same truth tables under the calico model.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as YAML from 'yaml'
import { calico } from '../../dialects/calico/index.js'
import type { Inventory, Pod } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { toYaml } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { DirectionRules, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import { rulesOf, scopedSubject } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs, translate } from '../../src/pipeline.js'
import { calico as calicoModel } from '../../src/semantics/calico.js'
import { holds } from '../../src/semantics/endpoint.js'
import { defaultProbes, matrix, reach } from '../../src/semantics/table.js'
import { tableDifferences } from '../equal-tables.js'
import { corpusDir, corpusFiles, corpusPresent } from '../corpus/corpus.js'
import { inventoryFor } from '../inventory-gen.js'
import { params } from '../property.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type Obj = Readonly<Record<string, unknown>>

const parse = (yaml: string, file = 'in.yaml'): ReturnType<typeof parseDocs> => {
  if (yaml === '') return { set: { policies: [], tiers: [], networkSets: [] }, dialects: [], passthrough: [], diagnostics: [] }
  const read = parseText(file, yaml)
  expect(read.diagnostics.map(D.render)).toEqual([])
  const parsed = parseDocs(read.docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  return parsed
}

/** k8s YAML → Calico objects through the pipeline (as `translate --to calico` does). */
const fromK8s = (yaml: string): { readonly objects: ReadonlyArray<Obj>; readonly diagnostics: ReadonlyArray<string>; readonly yaml: string } => {
  const t = translate(parse(yaml), calico, undefined)
  return { objects: t.objects.map((o) => o.object), diagnostics: t.diagnostics.map(D.render), yaml: toYaml(t.objects) }
}

const emitSet = (set: PolicySet, inventory?: Inventory) => {
  const out = calico.emit(set, { inventory })
  return {
    objects: out.objects.map((o) => o.object),
    diagnostics: out.diagnostics,
    rendered: out.diagnostics.map(D.render),
    yaml: toYaml(out.objects)
  }
}

const knp = (spec: string, ns = 'default'): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: test\n  namespace: ${ns}\nspec:\n${spec}`

const specOf = (o: Obj | undefined): Obj => (o?.spec ?? {}) as Obj

const orch = "projectcalico.org/orchestrator == 'k8s'"

/** The calico-model tables of `set` and of its emitted-and-reparsed form agree on `inv`. */
const sameUnderCalico = (set: PolicySet, inv: Inventory = inventoryFor(set)): { readonly yaml: string; readonly again: PolicySet; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const out = emitSet(set, inv)
  const again = parse(out.yaml, 'out.yaml')
  expect(again.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
  expect(tableDifferences(set, again.set, inv, calicoModel, calicoModel)).toEqual([])
  return { yaml: out.yaml, again: again.set, diagnostics: out.diagnostics }
}

const calicoYaml = (docs: ReadonlyArray<string>): string => docs.join('---\n')
const np = (name: string, ns: string, spec: string): string =>
  `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n${spec}`
const gnp = (name: string, spec: string): string => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}`

const faithful = (ds: ReadonlyArray<D.Diagnostic>): ReadonlyArray<string> => ds.filter((d) => d.fidelity !== undefined && d.fidelity !== 'exact').map(D.render)

const cidr = (s: string): C.CidrSet => {
  const r = C.parseCidr(s)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

const minus = (a: P.PortSet, b: P.PortSet): P.PortSet => {
  const r = P.difference(a, b)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

const rule = (action: Rule['action'], peer: F.Formula, ports: P.PortSet = P.all, l7?: Rule['l7']): Rule => ({ action, peer, ports, l7, location: undefined })

const policy = (name: string, scope: Policy['scope'], subject: F.Formula, ingress?: DirectionRules, egress?: DirectionRules, dialect: Policy['origin']['dialect'] = 'cilium'): Policy => ({
  _tag: 'Policy',
  origin: { dialect, kind: scope._tag === 'cluster' ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy', namespace: scope._tag === 'namespace' ? scope.namespace : undefined, name, location: undefined, labels: undefined, annotations: undefined },
  scope,
  ordering: undefined,
  subject,
  ingress,
  egress
})

/** The same policy as a Calico one in the default tier: rules keep their order. */
const ordered = (p: Policy, order = 10): Policy => ({ ...p, origin: { ...p.origin, dialect: 'calico', kind: p.scope._tag === 'cluster' ? 'GlobalNetworkPolicy' : 'NetworkPolicy' }, ordering: { tier: 'default', order } })

const ns = (namespace: string): Policy['scope'] => ({ _tag: 'namespace', namespace })
const pods = (k: string, v: string): F.Formula => F.and(F.kind(['pod']), F.labelEquals('endpoint', k, v))
/** A Cilium endpoint peer: pods of one namespace (the policy's, injected). */
const podsIn = (namespace: string, k: string, v: string): F.Formula => F.and(F.kind(['pod']), F.inNamespace([namespace]), F.labelEquals('endpoint', k, v))
const setOf = (...policies: ReadonlyArray<Policy>): PolicySet => ({ policies, tiers: [], networkSets: [] })

// -------------------------------------------------------------------------------------
// Calico's own conversion of Kubernetes NetworkPolicy (research/calico.md §5.2)
// -------------------------------------------------------------------------------------

describe('KNP → Calico as Calico converts it (§5.2)', () => {
  it('1: selectors with the orchestrator term, ports without protocol are TCP, named ports first', () => {
    const out = fromK8s(
      knp("  podSelector:\n    matchLabels: {label: value, label2: value2}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {k: v, k2: v2}}\n    ports:\n    - port: 80\n    - port: foo\n")
    )
    expect(out.diagnostics).toEqual([])
    expect(out.objects).toEqual([
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'NetworkPolicy',
        metadata: { name: 'test', namespace: 'default' },
        spec: {
          tier: 'default',
          order: 1000,
          selector: `${orch} && label == 'value' && label2 == 'value2'`,
          types: ['Ingress'],
          ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: `${orch} && k == 'v' && k2 == 'v2'` }, destination: { ports: ['foo', 80] } }]
        }
      }
    ])
  })
  it('2: no ports: no protocol and no destination', () => {
    const out = fromK8s(knp('  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {k: v}}\n'))
    expect(specOf(out.objects[0]).ingress).toEqual([{ action: 'Allow', source: { selector: `${orch} && k == 'v'` } }])
  })
  it('3: a blank port entry widens the rule to every TCP port', () => {
    const out = fromK8s(knp('  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n    ports:\n    - port: 80\n    - {}\n'))
    expect(specOf(out.objects[0]).ingress).toEqual([{ action: 'Allow', protocol: 'TCP', source: { selector: orch } }])
  })
  it('4: egress rules: peer and ports in destination, one rule per protocol', () => {
    const out = fromK8s(
      knp('  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector: {matchLabels: {k: v, k2: v2}}\n    ports:\n    - {}\n    - port: 80\n  - ports:\n    - port: 53\n      protocol: UDP\n')
    )
    expect(specOf(out.objects[0])).toEqual({
      tier: 'default',
      order: 1000,
      selector: orch,
      types: ['Egress'],
      egress: [
        { action: 'Allow', protocol: 'TCP', destination: { selector: `${orch} && k == 'v' && k2 == 'v2'` } },
        { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }
      ]
    })
  })
  it('5: a rule with an invalid port is refused, not dropped (Calico drops it and narrows the policy)', () => {
    const read = parseText('in.yaml', knp('  podSelector: {}\n  ingress:\n  - from: [{podSelector: {}}]\n  - ports: [{port: "-50:-1"}]\n'))
    const parsed = parseDocs(read.docs)
    expect(parsed.diagnostics.map(D.render)).toEqual([
      'in.yaml:10:20: error invalid-field: spec.ingress[1].ports[0].port: invalid port name "-50:-1": must contain only lower-case letters, digits and "-"'
    ])
  })
  it('6 and 7: no rules: the types alone isolate', () => {
    expect(specOf(fromK8s(knp('  podSelector: {matchLabels: {label: value}}\n  policyTypes: [Ingress]\n')).objects[0])).toEqual({
      tier: 'default',
      order: 1000,
      selector: `${orch} && label == 'value'`,
      types: ['Ingress']
    })
    expect(specOf(fromK8s(knp('  podSelector: {}\n  policyTypes: [Egress]\n')).objects[0])).toEqual({ tier: 'default', order: 1000, selector: orch, types: ['Egress'] })
  })
  it('8: one rule per peer', () => {
    const out = fromK8s(knp('  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {k: v}}\n    - podSelector: {matchLabels: {k2: v2}}\n    ports: [{}]\n'))
    expect(specOf(out.objects[0]).ingress).toEqual([
      { action: 'Allow', protocol: 'TCP', source: { selector: `${orch} && k == 'v'` } },
      { action: 'Allow', protocol: 'TCP', source: { selector: `${orch} && k2 == 'v2'` } }
    ])
  })
  it('9: protocols outer, peers inner', () => {
    const out = fromK8s(
      knp('  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {k: v}}\n    - podSelector: {matchLabels: {k2: v2}}\n    ports:\n    - {port: 90, protocol: UDP}\n    - {port: 80, protocol: TCP}\n')
    )
    expect((specOf(out.objects[0]).ingress as ReadonlyArray<Obj>).map((r) => [r.protocol, (r.source as Obj).selector, (r.destination as Obj).ports])).toEqual([
      ['TCP', `${orch} && k == 'v'`, [80]],
      ['TCP', `${orch} && k2 == 'v2'`, [80]],
      ['UDP', `${orch} && k == 'v'`, [90]],
      ['UDP', `${orch} && k2 == 'v2'`, [90]]
    ])
  })
  it('10: namespaceSelector peers, alone and with a podSelector', () => {
    const out = fromK8s(
      knp(
        '  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {namespaceRole: dev, namespaceFoo: bar}}\n  - from:\n    - namespaceSelector: {matchLabels: {namespaceRole: dev, namespaceFoo: bar}}\n      podSelector: {matchLabels: {podA: B, podC: D}}\n'
      )
    )
    expect(specOf(out.objects[0]).ingress).toEqual([
      { action: 'Allow', source: { selector: orch, namespaceSelector: "namespaceFoo == 'bar' && namespaceRole == 'dev'" } },
      { action: 'Allow', source: { selector: `${orch} && podA == 'B' && podC == 'D'`, namespaceSelector: "namespaceFoo == 'bar' && namespaceRole == 'dev'" } }
    ])
  })
  it('11: namespaceSelector {} is all(); a podSelector alone stays in the policy namespace', () => {
    const out = fromK8s(knp('  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n  - from:\n    - podSelector: {}\n'))
    expect(specOf(out.objects[0]).ingress).toEqual([
      { action: 'Allow', source: { selector: orch, namespaceSelector: 'all()' } },
      { action: 'Allow', source: { selector: orch } }
    ])
  })
  it('12 and 14: ipBlock is nets and notNets in the same rule, no selector; one rule per protocol', () => {
    const out = fromK8s(
      knp(
        '  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 192.168.0.0/16, except: [192.168.3.0/24, 192.168.4.0/24]}\n    ports:\n    - {port: 90, protocol: UDP}\n    - {port: 80, protocol: TCP}\n'
      )
    )
    const dst = { nets: ['192.168.0.0/16'], notNets: ['192.168.3.0/24', '192.168.4.0/24'] }
    expect(specOf(out.objects[0]).egress).toEqual([
      { action: 'Allow', protocol: 'TCP', destination: { ...dst, ports: [80] } },
      { action: 'Allow', protocol: 'UDP', destination: { ...dst, ports: [90] } }
    ])
  })
  it('13: port and endPort are a "lo:hi" range', () => {
    const out = fromK8s(knp('  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 32000, endPort: 32768, protocol: TCP}\n'))
    expect(specOf(out.objects[0]).ingress).toEqual([{ action: 'Allow', protocol: 'TCP', destination: { ports: ['32000:32768'] } }])
    expect(out.yaml).toContain('- 32000:32768\n')
  })
  it('15: NotIn, DoesNotExist and the empty pod selector', () => {
    const out = fromK8s(
      knp(
        '  podSelector:\n    matchExpressions:\n    - {key: toast, operator: NotIn, values: [milk, marmite]}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: toast, operator: DoesNotExist}\n'
      )
    )
    expect(specOf(out.objects[0]).selector).toBe(`${orch} && toast not in { 'marmite', 'milk' }`)
    expect(specOf(out.objects[0]).ingress).toEqual([{ action: 'Allow', source: { selector: `${orch} && !has(toast)` } }])
  })
  it('16: types are always [Ingress, Egress]', () => {
    expect(specOf(fromK8s(knp('  podSelector: {}\n  policyTypes: [Egress, Ingress]\n')).objects[0]).types).toEqual(['Ingress', 'Egress'])
  })
  it('every KNP sits at order 1000, as Calico places it, whatever the input order (issue 14 reproducer)', () => {
    const one = knp('  podSelector: {}\n  policyTypes: [Ingress]\n')
    const other = knp('  podSelector: {}\n  policyTypes: [Egress]\n').replace('name: test', 'name: a')
    const forward = fromK8s(`${one}\n---\n${other}`)
    expect(forward.objects.map((o) => [((o.metadata ?? {}) as Obj).name, specOf(o).order])).toEqual([
      ['a', 1000],
      ['test', 1000]
    ])
    expect(fromK8s(`${other}\n---\n${one}`).objects).toEqual(forward.objects)
  })
})

// -------------------------------------------------------------------------------------
// forms
// -------------------------------------------------------------------------------------

describe('selectors and peers', () => {
  it('a subject disjunction is one readable selector', () => {
    const p = policy('p', ns('x'), F.and(F.kind(['pod']), F.or(F.labelEquals('endpoint', 'app', 'a'), F.not(F.exists('endpoint', 'tier')))), { defaultDeny: true, rules: [] })
    expect(specOf(emitSet(setOf(p)).objects[0]).selector).toBe(`${orch} && (app == 'a' || !has(tier))`)
  })
  it('GNP subjects: pods only by the orchestrator term, namespaces by name and by labels', () => {
    const p = policy('g', { _tag: 'cluster' }, F.and(F.kind(['pod']), F.inNamespace(['a', 'b']), F.labelEquals('namespace', 'team', 't'), F.label('endpoint', 'v', { _tag: 'startsWith', value: 'x' })), { defaultDeny: true, rules: [] })
    const s = specOf(emitSet(setOf(p)).objects[0])
    expect(s.selector).toBe(`${orch} && projectcalico.org/namespace in { 'a', 'b' } && v starts with 'x'`)
    expect(s.namespaceSelector).toBe("team == 't'")
    sameUnderCalico(setOf(p))
  })
  it('peers in another namespace use namespaceSelector projectcalico.org/name; in any namespace all(); network sets also global()', () => {
    const peers = [
      F.and(F.kind(['pod']), F.inNamespace(['y'])),
      F.and(F.kind(['pod']), F.labelEquals('endpoint', 'a', 'b')),
      F.and(F.kind(['pod', 'host', 'networkSet']), F.labelEquals('endpoint', 'a', 'b'))
    ]
    const p = policy('p', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: peers.map((f) => rule('allow', f)) })
    expect((specOf(emitSet(setOf(p)).objects[0]).ingress as ReadonlyArray<Obj>).map((r) => r.source)).toEqual([
      { selector: orch, namespaceSelector: "projectcalico.org/name == 'y'" },
      { selector: `${orch} && a == 'b'`, namespaceSelector: 'all()' },
      { selector: "a == 'b'", namespaceSelector: 'all()' },
      { selector: "a == 'b'", namespaceSelector: 'global()' }
    ])
    sameUnderCalico(setOf(p))
  })
  it('service accounts: names as serviceAccounts, labels as its selector, exclusions as the special label', () => {
    const peers = [
      F.and(F.kind(['pod']), F.inNamespace(['x']), F.serviceAccount(['sa1', 'sa2'])),
      F.and(F.kind(['pod']), F.inNamespace(['x']), F.labelEquals('serviceAccount', 'role', 'db')),
      F.and(F.kind(['pod']), F.inNamespace(['x']), F.not(F.serviceAccount(['sa1'])))
    ]
    const p = policy('p', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: peers.map((f) => rule('allow', f)) })
    expect((specOf(emitSet(setOf(p)).objects[0]).ingress as ReadonlyArray<Obj>).map((r) => r.source)).toEqual([
      { selector: orch, serviceAccounts: { names: ['sa1', 'sa2'] } },
      { selector: orch, serviceAccounts: { selector: "role == 'db'" } },
      { selector: `${orch} && projectcalico.org/serviceaccount != 'sa1'` }
    ])
    const inv = inventoryFor(setOf(p))
    const withSa: Inventory = { ...inv, pods: inv.pods.map((q, i): Pod => ({ ...q, serviceAccount: ['sa1', 'sa2', 'other'][i % 3] ?? 'default' })) }
    sameUnderCalico(setOf(p), withSa)
  })
  it('addresses: one family per rule, excepts as notNets beside nets (notNets alone would apply to its own family only)', () => {
    const v6 = cidr('2001:db8::/32')
    const peers = [
      F.ipIn(C.union(C.difference(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')), v6)),
      F.not(F.ipIn(cidr('10.0.0.0/8'))),
      F.not(F.ipIn(C.allV4)),
      F.and(F.not(F.ipIn(cidr('2001:db8::/32'))), F.ipIn(C.allV6))
    ]
    const p = policy('p', ns('x'), F.kind(['pod']), undefined, { defaultDeny: true, rules: peers.map((f) => rule('allow', f)) })
    expect((specOf(emitSet(setOf(p)).objects[0]).egress as ReadonlyArray<Obj>).map((r) => r.destination)).toEqual([
      { nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] },
      { nets: ['2001:db8::/32'] },
      // every address but 10.0.0.0/8: IPv4 less the block, and all of IPv6 in a rule of its own
      { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8'] },
      { nets: ['::/0'] },
      { nets: ['::/0'] },
      { nets: ['::/0'], notNets: ['2001:db8::/32'] }
    ])
    sameUnderCalico(setOf(p))
  })
  it('address families hold on IPv6 endpoints too: a Calico notNets of one family, and a negation over both', () => {
    const parsed = parse(
      np('p', 'x', "  order: 1\n  selector: all()\n  types: [Ingress, Egress]\n  ingress:\n  - action: Allow\n    source: {notNets: [10.0.0.0/8]}\n  egress:\n  - action: Allow\n    destination: {notNets: ['2001:db8::/32']}\n")
    )
    const negation = policy('n', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [rule('allow', F.not(F.ipIn(cidr('10.0.0.0/8'))))] })
    const withV6 = (set: PolicySet): Inventory => {
      const base = inventoryFor(set)
      const pod = (name: string, ip: string): Pod => ({ namespace: 'x', name, labels: {}, ip: ipOf(ip), ports: [], serviceAccount: 'default', node: undefined, hostNetwork: false })
      return { ...base, pods: [...base.pods, pod('v6-in', '2001:db8::5'), pod('v6-out', '2001:db9::5'), pod('v4-in', '10.7.0.9'), pod('v4-out', '192.0.2.7')] }
    }
    const r = sameUnderCalico(parsed.set, withV6(parsed.set))
    const spec = specOf(YAML.parse(r.yaml) as Obj)
    expect((spec.ingress as ReadonlyArray<Obj>).map((x) => x.source)).toEqual([{ nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8'] }])
    expect((spec.egress as ReadonlyArray<Obj>).map((x) => x.destination)).toEqual([{ nets: ['::/0'], notNets: ['2001:db8::/32'] }])
    const n = sameUnderCalico(setOf(negation), withV6(setOf(negation)))
    expect((specOf(YAML.parse(n.yaml) as Obj).ingress as ReadonlyArray<Obj>).map((x) => x.source)).toEqual([{ nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8'] }, { nets: ['::/0'] }])
  })
  it('negated tests that also match outside addresses: notSelector in a GNP, reported in a namespaced policy', () => {
    const peer = F.and(F.not(F.labelEquals('endpoint', 'app', 'x')), F.not(F.kind(['pod'])))
    const g = policy('g', { _tag: 'cluster' }, F.kind(['pod']), { defaultDeny: true, rules: [rule('allow', peer)] })
    expect((specOf(emitSet(setOf(g)).objects[0]).ingress as ReadonlyArray<Obj>)[0]?.source).toEqual({ notSelector: `app == 'x' || has(projectcalico.org/orchestrator)` })
    sameUnderCalico(setOf(g))
    const n = policy('n', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [rule('allow', peer), rule('deny', peer)] })
    const out = emitSet(setOf(n))
    expect(out.diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`).sort()).toEqual(['broader unsupported-peer', 'narrower unsupported-peer'])
    expect(out.rendered[0]).toContain('in a namespaced Calico policy every rule selector is confined to namespaces')
  })
})

describe('ports and protocols', () => {
  it('one rule per protocol, sorted by name; named ports of any protocol without one', () => {
    const ports = [P.range(P.TCP, 80, 81), P.port(P.UDP, 53), P.protocol(P.SCTP), P.named('http'), P.icmp(P.ICMP, 8), P.protocol(112)].reduce(P.union, P.empty)
    const p = policy('p', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [rule('allow', F.tt, ports)] })
    expect((specOf(emitSet(setOf(p)).objects[0]).ingress as ReadonlyArray<Obj>).map((r) => [r.protocol, r.icmp, (r.destination as Obj | undefined)?.ports])).toEqual([
      [undefined, undefined, ['http']],
      [112, undefined, undefined],
      ['ICMP', { type: 8 }, undefined],
      ['SCTP', undefined, undefined],
      ['TCP', undefined, ['80:81']],
      ['UDP', undefined, [53]]
    ])
    sameUnderCalico(setOf(p))
  })
  it('every protocol but one is notProtocol; ICMP codes and all-but-one type as notICMP', () => {
    const allButTcp = P.union(P.port(P.TCP, 22), minus(P.all, P.protocol(P.TCP)))
    const icmp = minus(P.protocol(P.ICMP), P.icmp(P.ICMP, 3))
    const p = ordered(policy('p', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [rule('allow', F.tt, allButTcp), rule('deny', F.tt, P.union(icmp, P.icmp(P.ICMPV6, 128, 0)))] }))
    expect((specOf(emitSet(setOf(p)).objects[0]).ingress as ReadonlyArray<Obj>).map((r) => ({ ...r, action: undefined }))).toEqual([
      { action: undefined, notProtocol: 'TCP' },
      { action: undefined, protocol: 'TCP', destination: { ports: [22] } },
      { action: undefined, protocol: 'ICMP', notICMP: { type: 3 } },
      { action: undefined, protocol: 'ICMPv6', icmp: { type: 128, code: 0 } }
    ])
    sameUnderCalico(setOf(p))
  })
  it('more than 50 ports take several rules', () => {
    const many = Array.from({ length: 60 }, (_, i) => P.port(P.TCP, 1000 + 2 * i)).reduce(P.union, P.empty)
    const p = policy('p', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [rule('allow', F.tt, many)] })
    expect((specOf(emitSet(setOf(p)).objects[0]).ingress as ReadonlyArray<Obj>).map((r) => ((r.destination as Obj).ports as ReadonlyArray<unknown>).length)).toEqual([50, 10])
  })
})

describe('actions, L7 and what Calico cannot say', () => {
  it('deny, pass and log keep their order; an HTTP rule keeps exact methods and paths', () => {
    const http: Rule['l7'] = { _tag: 'http', rules: [{ methods: ['GET'], methodRegex: undefined, paths: [{ _tag: 'prefix', value: '/api' }], host: undefined, headers: [] }] }
    const rules = [rule('log', F.tt), rule('deny', pods('a', 'b')), rule('pass', pods('c', 'd')), rule('allow', F.tt, P.port(P.TCP, 80), http)]
    const p: Policy = { ...policy('p', ns('x'), F.kind(['pod']), { defaultDeny: true, rules }, undefined, 'calico'), ordering: { tier: 'default', order: 5 } }
    const out = emitSet(setOf(p))
    expect(out.rendered).toEqual([])
    expect((specOf(out.objects[0]).ingress as ReadonlyArray<Obj>).map((r) => [r.action, r.http])).toEqual([
      ['Log', undefined],
      ['Deny', undefined],
      ['Pass', undefined],
      ['Allow', { methods: ['GET'], paths: [{ prefix: '/api' }] }]
    ])
    expect(specOf(out.objects[0]).order).toBe(5)
  })
  it('regex HTTP, egress HTTP and other L7 are written at L4: broader, with a comment', () => {
    const regex: Rule['l7'] = { _tag: 'http', rules: [{ methods: [], methodRegex: 'GET|PUT', paths: [], host: undefined, headers: [] }] }
    const dns: Rule['l7'] = { _tag: 'dns', rules: [{ match: 'name', value: 'example.com' }] }
    const p = policy('p', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [rule('allow', F.tt, P.port(P.TCP, 80), regex)] }, { defaultDeny: true, rules: [rule('allow', F.tt, P.port(P.UDP, 53), dns)] })
    const out = emitSet(setOf(p))
    expect(out.diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`)).toEqual(['broader l7-dropped', 'broader l7-dropped'])
    expect(out.yaml).toContain('  ingress:\n  # netpolx: broader: Calico HTTP matches have exact methods')
    expect(out.yaml).toContain('  egress:\n  # netpolx: broader: Calico has no dns rules')
  })
  it('entities, FQDNs, services and node labels: narrower in allow rules, broader in deny rules, commented', () => {
    const peers = [F.entity('kube-apiserver'), F.fqdn('name', 'example.com'), F.service('x', undefined, F.labelEquals('endpoint', 'tier', 'db')), F.and(F.kind(['host']), F.labelEquals('node', 'role', 'edge'))]
    const p = policy('p', ns('x'), F.kind(['pod']), undefined, { defaultDeny: true, rules: [rule('allow', F.or(pods('a', 'b'), ...peers)), rule('deny', F.fqdn('pattern', '*.evil.com'))] })
    const out = emitSet(setOf(p))
    expect(out.diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`).sort()).toEqual([
      'broader unsupported-peer',
      'narrower unsupported-peer',
      'narrower unsupported-peer',
      'narrower unsupported-peer',
      'narrower unsupported-peer'
    ])
    expect(out.rendered).toContain('netpolx: warning unsupported-peer: a Calico rule cannot match DNS name example.com; the peer is left out')
    expect((specOf(out.objects[0]).egress as ReadonlyArray<Obj>).length).toBe(1)
    expect(out.yaml).toContain('  egress:\n  # netpolx: narrower: a Calico rule cannot match the Cilium entity kube-apiserver; the peer is left out\n')
    expect(out.yaml).toContain('  types:\n  # netpolx: broader: egress rule left out: a Calico rule cannot match DNS name *.evil.com; the peer is left out\n  - Egress\n')
  })
  it('an unsatisfiable or unselectable subject is left out, exactly', () => {
    const p = policy('p', ns('x'), F.and(F.kind(['pod']), F.inNamespace(['y'])), { defaultDeny: true, rules: [] })
    const out = emitSet(setOf(p))
    expect(out.objects).toEqual([])
    expect(out.diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`)).toEqual(['exact empty-subject'])
  })
  it('a subject testing addresses cannot be written', () => {
    const p = policy('p', ns('x'), F.and(F.kind(['pod']), F.ipIn(cidr('10.0.0.0/8'))), { defaultDeny: true, rules: [] })
    expect(emitSet(setOf(p)).diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`)).toEqual(['unsupported unsupported-subject'])
  })
})

// -------------------------------------------------------------------------------------
// round trips of Calico input
// -------------------------------------------------------------------------------------

describe('Calico → IR → Calico keeps the calico-model table', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    [
      'NetworkPolicy scoping: selector, notSelector, namespaceSelector all()/labels/global(), nets',
      np(
        'p',
        'x',
        `  order: 10
  selector: app == 'web'
  ingress:
  - action: Deny
    source: {notSelector: "role == 'bad'"}
  - action: Allow
    protocol: TCP
    source: {selector: "role == 'fe' || role == 'be'", namespaceSelector: "team != 'red'"}
    destination: {ports: [80, "8000:8080"], notPorts: [8001]}
  - action: Allow
    source: {namespaceSelector: all(), selector: "!has(tier)"}
  - action: Allow
    source: {namespaceSelector: global()}
  - action: Pass
    source: {nets: [10.0.0.0/8], notNets: [10.1.0.0/16]}
  egress:
  - action: Allow
    notProtocol: UDP
    destination: {selector: "has(db)", namespaceSelector: "projectcalico.org/name in {'y', 'z'}"}
  - action: Log
  - action: Deny
    protocol: UDP
    destination: {notNets: [192.168.0.0/16]}
`
      )
    ],
    [
      'GlobalNetworkPolicy: namespaceSelector and serviceAccountSelector subjects, notSelector alone, notNets',
      calicoYaml([
        gnp(
          'g',
          `  order: 100
  selector: app != 'x'
  namespaceSelector: team == 'blue'
  types: [Ingress, Egress]
  ingress:
  - action: Allow
    source: {notSelector: "app == 'bad' || projectcalico.org/namespace == 'z'"}
  - action: Allow
    source: {selector: "projectcalico.org/namespace == 'y' && app in {'a', 'b'}"}
  egress:
  - action: Deny
    destination: {serviceAccounts: {names: [default]}, selector: "app == 'a'"}
  - action: Allow
    protocol: ICMP
    icmp: {type: 8}
    destination: {notNets: [10.0.2.0/24]}
`
        ),
        np('after', 'y', '  order: 200\n  selector: all()\n  ingress:\n  - action: Allow\n    source: {selector: "app == \'a\'"}\n')
      ])
    ],
    [
      'tiers: a Pass tier before the default tier, orders and ties',
      calicoYaml([
        'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n  defaultAction: Pass\n',
        'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: default\nspec:\n  order: 1000000\n',
        gnp('security.block', '  tier: security\n  order: 1\n  selector: all()\n  ingress:\n  - action: Deny\n    source: {selector: "app == \'a\'", namespaceSelector: all()}\n'),
        gnp('allow-a', '  tier: security\n  order: 2\n  selector: app == \'b\'\n  ingress:\n  - action: Allow\n'),
        np('p', 'x', '  selector: all()\n  ingress:\n  - action: Allow\n    source: {selector: "app == \'b\'"}\n'),
        np('q', 'x', '  order: 7\n  selector: all()\n  ingress:\n  - action: Pass\n    source: {selector: "app == \'c\'"}\n')
      ])
    ]
  ]
  for (const [name, yaml] of cases)
    it(name, () => {
      const parsed = parse(yaml)
      const r = sameUnderCalico(parsed.set)
      expect(faithful(r.diagnostics)).toEqual([])
      // and again: a second round trip is a fixpoint
      expect(emitSet(r.again).yaml).toBe(r.yaml)
    })

  it('Kubernetes policies among Calico ones stay where Calico puts them: at 1000, before the next order', () => {
    const k1 = knp('  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: web}}\n', 'x')
    const k2 = k1.replace('name: test', 'name: test2').replace('app: db}', 'app: web}')
    const early = gnp('early', "  order: 500\n  selector: app == 'db'\n  ingress:\n  - action: Pass\n    source: {selector: \"app == 'batch'\"}\n")
    const late = np('late', 'x', "  order: 1000.5\n  selector: all()\n  ingress:\n  - action: Allow\n    source: {selector: \"app == 'batch'\"}\n")
    const parsed = parse(calicoYaml([k1, k2, early, late]))
    const r = sameUnderCalico(parsed.set)
    expect(faithful(r.diagnostics)).toEqual([])
    expect(r.again.policies.map((p) => [p.origin.name, p.ordering?.order])).toEqual([
      ['early', 500],
      ['late', 1000.5],
      ['test', 1000],
      ['test2', 1000]
    ])
    const tie = parse(calicoYaml([k1, late.replace('1000.5', '1000')]))
    const t = sameUnderCalico(tie.set)
    expect(t.again.policies.map((p) => p.ordering?.order)).toEqual([1000, 1000])
    expect(t.diagnostics.map(D.render)).toEqual([
      'in.yaml:1:1: info order-tie: an ordered default-tier policy has order 1000, where Calico puts Kubernetes NetworkPolicies: the unordered ones stay at 1000 and ties are broken by name, which Calico does differently across versions (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, "order")'
    ])
  })
  it('services stay services; an egress service rule with ports cannot be written', () => {
    const yaml = np(
      'p',
      'shop',
      "  order: 1\n  selector: all()\n  types: [Ingress, Egress]\n  ingress:\n  - action: Allow\n    source: {services: {name: front}}\n  egress:\n  - action: Allow\n    destination: {services: {name: db, namespace: data}}\n"
    )
    const parsed = parse(yaml)
    const base = inventoryFor(parsed.set)
    const inv: Inventory = {
      ...base,
      namespaces: [...base.namespaces, { name: 'data', labels: { 'kubernetes.io/metadata.name': 'data' } }],
      pods: [
        ...base.pods,
        { namespace: 'shop', name: 'front-1', labels: { app: 'front' }, ip: ipOf('10.7.0.1'), ports: [], serviceAccount: 'default', node: undefined, hostNetwork: false },
        { namespace: 'data', name: 'db-1', labels: { app: 'db' }, ip: ipOf('10.7.0.2'), ports: [], serviceAccount: 'default', node: undefined, hostNetwork: false }
      ],
      services: [
        { namespace: 'shop', name: 'front', labels: {}, selector: { app: 'front' } },
        { namespace: 'data', name: 'db', labels: {}, selector: { app: 'db' } }
      ]
    }
    const r = sameUnderCalico(parsed.set, inv)
    expect(faithful(r.diagnostics)).toEqual([])
    expect(r.yaml).toContain('    source:\n      services:\n        name: front\n        namespace: shop\n')
    const withPorts = policy('p', ns('shop'), F.kind(['pod']), undefined, { defaultDeny: true, rules: [rule('allow', F.service('data', 'db'), P.port(P.TCP, 5432))] })
    expect(emitSet(setOf(withPorts)).diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`)).toEqual(['narrower unsupported-peer'])
    const anyNamespace = policy('p', ns('shop'), F.kind(['pod']), undefined, { defaultDeny: true, rules: [rule('allow', F.service(undefined, 'db'))] })
    expect(emitSet(setOf(anyNamespace)).rendered).toEqual(['netpolx: warning unsupported-peer: a Calico rule cannot match the backends of service */db; the peer is left out'])
  })
  it("egress services from a policy not read from Calico: Calico matches only the Service's endpoint ports, narrower for allow, broader for deny, commented", () => {
    const egress: DirectionRules = { defaultDeny: true, rules: [rule('allow', F.service('data', 'db')), rule('deny', F.service('data', 'cache'), P.protocol(P.TCP))] }
    const ingress: DirectionRules = { defaultDeny: true, rules: [rule('allow', F.service('shop', 'front'))] }
    for (const dialect of ['cilium', 'k8s'] as const) {
      const out = emitSet(setOf(policy('p', ns('shop'), F.kind(['pod']), ingress, egress, dialect)))
      expect(out.diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`).sort()).toEqual(['broader service-ports', 'narrower service-ports'])
      expect(out.rendered[0]).toBe(
        "netpolx: warning service-ports: Calico's services in an egress rule match only the ports of the Service's endpoints (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, 'Entity rule'), where the source rule matches its backends on every port it lists; other ports are left out"
      )
      // the rules are still written (the deny first, as for every unordered set with denies), each
      // under its comment; ingress services (addresses only) are exact
      expect(specOf(out.objects[0]).egress).toEqual([
        { action: 'Deny', protocol: 'TCP', destination: { services: { name: 'cache', namespace: 'data' } } },
        { action: 'Allow', destination: { services: { name: 'db', namespace: 'data' } } }
      ])
      expect(specOf(out.objects[0]).ingress).toEqual([{ action: 'Allow', source: { services: { name: 'front', namespace: 'shop' } } }])
      expect(out.yaml).toContain("  egress:\n  # netpolx: broader: Calico's services in an egress rule match only the ports")
      expect(out.yaml).toContain("        name: cache\n        namespace: data\n  # netpolx: narrower: Calico's services in an egress rule match only the ports")
    }
    // read from Calico, the service already means what `services` matches: exact, no comment
    const fromCalico = emitSet(setOf(ordered(policy('p', ns('shop'), F.kind(['pod']), ingress, egress))))
    expect(fromCalico.diagnostics).toEqual([])
    expect(fromCalico.yaml).not.toContain('netpolx:')
  })
  it('network sets become NetworkSet / GlobalNetworkSet, and selectors still match them', () => {
    const yaml = calicoYaml([
      'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: outside\n  labels: {zone: ext}\nspec:\n  nets: [8.8.8.0/24]\n',
      'apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: partners\n  namespace: x\n  labels: {zone: partner}\nspec:\n  nets: [172.16.0.0/12, 10.0.1.2]\n',
      np('p', 'x', "  selector: all()\n  egress:\n  - action: Allow\n    destination: {selector: \"zone == 'partner'\"}\n  - action: Allow\n    destination: {selector: \"zone == 'ext'\", namespaceSelector: global()}\n")
    ])
    const parsed = parse(yaml)
    const out = emitSet(parsed.set)
    expect(out.objects.slice(0, 2)).toEqual([
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'outside', labels: { zone: 'ext' } }, spec: { nets: ['8.8.8.0/24'] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'partners', namespace: 'x', labels: { zone: 'partner' } }, spec: { nets: ['10.0.1.2/32', '172.16.0.0/12'] } }
    ])
    const base = inventoryFor(parsed.set)
    const pod = (name: string, ip: string): Pod => ({ namespace: 'x', name, labels: {}, ip: C.parseIp(ip)._tag === 'Right' ? (C.parseIp(ip) as { right: C.Ip }).right : undefined, ports: [], serviceAccount: 'default', node: undefined, hostNetwork: false })
    const inv: Inventory = {
      ...base,
      pods: [...base.pods, pod('in-partners', '10.0.1.2'), pod('in-172', '172.16.3.4')],
      externals: [...base.externals, { text: '8.8.8.8', ip: { family: 4, value: (8n << 24n) + (8n << 16n) + (8n << 8n) + 8n } }, { text: '172.20.0.1', ip: { family: 4, value: (172n << 24n) + (20n << 16n) + 1n } }]
    }
    sameUnderCalico(parsed.set, inv)
  })
})

// -------------------------------------------------------------------------------------
// unordered sets with deny rules (Cilium)
// -------------------------------------------------------------------------------------

/** Cilium's combination (research/cilium.md §4.1–§4.2, the cilium model): any matching deny drops, else any allow, else isolated drops. */
const ciliumOracle = (set: PolicySet, inv: Inventory, protocol: number, port: number): ReadonlyArray<ReadonlyArray<boolean>> => {
  const r = reach(set, inv, calicoModel, [])
  const endpoints = r.classes.endpoints
  const at = (f: F.Formula, e: (typeof endpoints)[number]) => F.evaluate(f, (a) => holds(a, e, inv))
  const verdict = (subject: (typeof endpoints)[number], peer: (typeof endpoints)[number], d: 'ingress' | 'egress'): boolean => {
    if (subject.kind !== 'pod') return true
    const applying = set.policies.filter((p) => rulesOf(p, d) !== undefined && at(scopedSubject(p), subject))
    if (applying.length === 0) return true
    const dst = d === 'ingress' ? subject : peer
    const matching = applying.flatMap((p) => rulesOf(p, d)?.rules ?? []).filter((x) => at(x.peer, peer) && P.matches(x.ports, protocol, port, dst.ports))
    if (matching.some((x) => x.action === 'deny')) return false
    if (matching.some((x) => x.action === 'allow')) return true
    return !applying.some((p) => rulesOf(p, d)?.defaultDeny === true)
  }
  return endpoints.map((s) => endpoints.map((t) => verdict(s, t, 'egress') && verdict(t, s, 'ingress')))
}

const sameAsCilium = (set: PolicySet): string => {
  const out = emitSet(set)
  expect(faithful(out.diagnostics)).toEqual([])
  const again = parse(out.yaml, 'out.yaml').set
  const inv = inventoryFor(set)
  const probes = defaultProbes(set, inv)
  const r = reach(again, inv, calicoModel, probes)
  probes.forEach((probe, k) => {
    const t = r.tables[k]
    if (t === undefined) throw new Error('no table')
    expect(matrix(r, t)).toEqual(ciliumOracle(set, inv, probe.protocol, probe.port))
  })
  return out.yaml
}

describe('unordered sets with deny rules and without default deny', () => {
  const allowWeb = policy('allow-web', ns('x'), pods('app', 'web'), { defaultDeny: true, rules: [rule('allow', F.and(F.kind(['pod']), F.inNamespace(['x'])), P.port(P.TCP, 80))] })
  const denyBad = policy('deny-bad', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [rule('deny', podsIn('x', 'role', 'bad')), rule('allow', F.and(F.kind(['pod']), F.inNamespace(['x'])), P.port(P.TCP, 80))] })
  const openDeny = policy('open-deny', ns('x'), F.kind(['pod']), { defaultDeny: false, rules: [rule('deny', podsIn('x', 'role', 'bad'), P.port(P.TCP, 80))] })
  const globalDeny = policy('global-deny', { _tag: 'cluster' }, F.kind(['pod']), undefined, { defaultDeny: false, rules: [rule('deny', F.ipIn(cidr('8.8.8.0/24')))] })

  it('a lone policy without default deny keeps one object: its denies, then an allow-all', () => {
    const yaml = sameAsCilium(setOf(openDeny))
    const objects = emitSet(setOf(openDeny)).objects
    expect(objects.length).toBe(1)
    expect(specOf(objects[0]).ingress).toEqual([
      { action: 'Deny', protocol: 'TCP', source: { selector: `${orch} && role == 'bad'` }, destination: { ports: [80] } },
      { action: 'Allow' }
    ])
    expect(yaml).not.toContain('netpolx:')
  })
  it('denies override allows whatever their order: all deny parts first', () => {
    sameAsCilium(setOf(allowWeb, denyBad))
    const names = emitSet(setOf(allowWeb, denyBad)).objects.map((o) => [((o.metadata ?? {}) as Obj).name, specOf(o).order])
    expect(names).toEqual([
      ['allow-web', 1001],
      ['deny-bad-deny', 1000],
      ['deny-bad', 1001]
    ])
  })
  it('open directions stay open only where no default-deny policy isolates', () => {
    sameAsCilium(setOf(allowWeb, openDeny))
    sameAsCilium(setOf(allowWeb, denyBad, openDeny, globalDeny))
    const objects = emitSet(setOf(allowWeb, openDeny)).objects
    const open = objects.find((o) => ((o.metadata ?? {}) as Obj).name === 'open-deny-default-allow')
    expect(specOf(open)).toEqual({ tier: 'default', order: 1002, selector: `${orch} && app != 'web'`, types: ['Ingress'], ingress: [{ action: 'Allow' }] })
  })
  it('an unordered direction without default deny and without denies is left ungoverned, exactly', () => {
    const p = policy('p', ns('x'), F.kind(['pod']), { defaultDeny: false, rules: [rule('allow', F.tt)] })
    const out = emitSet(setOf(p, allowWeb))
    expect(out.diagnostics.map((d) => `${d.fidelity ?? ''} ${d.code}`)).toEqual([])
    sameAsCilium(setOf(p, allowWeb))
  })
})

// -------------------------------------------------------------------------------------
// names, metadata, tiers, determinism
// -------------------------------------------------------------------------------------

describe('names, metadata and determinism', () => {
  it('names are unique per kind and namespace; tiers prefix names outside the default tier', () => {
    const a = policy('dup', ns('x'), F.kind(['pod']), { defaultDeny: true, rules: [] })
    const b = policy('dup', ns('x'), pods('a', 'b'), { defaultDeny: true, rules: [] })
    const c = policy('dup', ns('y'), F.kind(['pod']), { defaultDeny: true, rules: [] })
    const d = policy('dup', { _tag: 'cluster' }, F.kind(['pod']), { defaultDeny: true, rules: [] })
    const t: Policy = { ...policy('guard', { _tag: 'cluster' }, F.kind(['pod']), { defaultDeny: true, rules: [] }, undefined, 'calico'), ordering: { tier: 'security', order: 1 } }
    const out = emitSet({ ...setOf(a, b, c, d, t), tiers: [{ name: 'security', order: 10, defaultAction: 'pass', origin: t.origin }] })
    expect(out.objects.map((o) => `${String(o.kind)} ${String(((o.metadata ?? {}) as Obj).namespace ?? '-')}/${String(((o.metadata ?? {}) as Obj).name)}`)).toEqual([
      'Tier -/security',
      'NetworkPolicy x/dup',
      'NetworkPolicy x/dup-2',
      'NetworkPolicy y/dup',
      'GlobalNetworkPolicy -/dup',
      'GlobalNetworkPolicy -/security.guard'
    ])
    expect(out.objects[0]?.spec).toEqual({ order: 10, defaultAction: 'Pass' })
  })
  it('a tier no input declares is reported', () => {
    const t: Policy = { ...policy('guard', { _tag: 'cluster' }, F.kind(['pod']), { defaultDeny: true, rules: [] }, undefined, 'calico'), ordering: { tier: 'missing', order: 1 } }
    expect(emitSet(setOf(t)).rendered).toEqual([
      'netpolx: warning undeclared-tier: tier "missing" (used by guard) is not declared in the input; Calico requires it to exist before the policies in it'
    ])
  })
  it('origin labels and annotations are kept', () => {
    const out = fromK8s(knp('  podSelector: {}\n').replace('  name: test\n', '  name: test\n  labels: {team: a}\n  annotations: {note: kept}\n'))
    expect(out.objects[0]?.metadata).toEqual({ name: 'test', namespace: 'default', labels: { team: 'a' }, annotations: { note: 'kept' } })
  })
  it('emitting twice gives the same text', () => {
    const allowWeb = policy('allow-web', ns('x'), pods('app', 'web'), { defaultDeny: true, rules: [rule('allow', F.and(F.kind(['pod']), F.inNamespace(['x'])), P.port(P.TCP, 80))] })
    const set = setOf(allowWeb, policy('g', { _tag: 'cluster' }, F.kind(['pod']), undefined, { defaultDeny: false, rules: [rule('deny', F.ipIn(cidr('1.2.3.0/24')))] }))
    expect(emitSet(set).yaml).toBe(emitSet(set).yaml)
    expect(emitSet(set).yaml.length).toBeGreaterThan(0)
  })
})



// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

const selectors = ['all()', "app == 'web'", "app == 'db'", "role == 'bad'", 'has(role)', "app != 'web'", "role in {'bad', 'admin'}", "!(app == 'web' && has(role))", "zone == 'ext'"]
const namespaceSelectors = ["team == 'blue'", "team != 'blue'", 'all()', 'global()', "projectcalico.org/name == 'other'", "!has(team)"]

const entityArb: fc.Arbitrary<Readonly<Record<string, unknown>>> = fc.oneof(
  fc.constant({}),
  fc.record({ selector: fc.constantFrom(...selectors) }),
  fc.record({ selector: fc.constantFrom(...selectors), namespaceSelector: fc.constantFrom(...namespaceSelectors) }),
  // a negated namespaceSelector alone is left out: parse.ts reads it as also matching outside addresses (see the unit test)
  fc.record({ namespaceSelector: fc.constantFrom("team == 'blue'", 'all()', 'global()', "projectcalico.org/name == 'other'") }),
  fc.record({ nets: fc.constantFrom(['10.9.0.0/30'], ['0.0.0.0/0'], ['10.9.0.0/16']) }),
  fc.record({ notNets: fc.constantFrom(['10.9.0.0/30'], ['10.0.0.0/8']) }),
  fc.record({ notSelector: fc.constantFrom(...selectors) }),
  fc.record({ notSelector: fc.constantFrom(...selectors), nets: fc.constantFrom(['10.9.0.0/16'], ['0.0.0.0/0']) }),
  fc.record({ serviceAccounts: fc.constantFrom({ names: ['sa1'] }, { names: ['sa1', 'default'] }), selector: fc.constantFrom(...selectors) })
)

const genRuleArb = fc.record({
  action: fc.constantFrom('Allow', 'Deny', 'Pass', 'Log', 'Allow', 'Deny'),
  protocol: fc.constantFrom(undefined, 'TCP', 'UDP', 'ICMP'),
  notProtocol: fc.constantFrom(undefined, undefined, 'UDP'),
  peer: entityArb,
  ports: fc.option(fc.constantFrom([80], ['80:90'], [53, 443]), { nil: undefined })
})
type GenRule = typeof genRuleArb extends fc.Arbitrary<infer T> ? T : never

const genPolicyArb = fc.record({
  kind: fc.constantFrom('NetworkPolicy', 'NetworkPolicy', 'GlobalNetworkPolicy'),
  namespace: fc.constantFrom('shop', 'other'),
  tier: fc.constantFrom('default', 'default', 'sec'),
  order: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  selector: fc.constantFrom(...selectors),
  namespaceSelector: fc.constantFrom(undefined, undefined, "team == 'blue'", "team != 'blue'"),
  serviceAccountSelector: fc.constantFrom(undefined, undefined, "role == 'db'", "!has(role)"),
  ingress: fc.option(fc.array(genRuleArb, { maxLength: 3 }), { nil: undefined }),
  egress: fc.option(fc.array(genRuleArb, { maxLength: 2 }), { nil: undefined })
})
type GenPolicy = typeof genPolicyArb extends fc.Arbitrary<infer T> ? T : never

const genRuleYaml = (r: GenRule, dir: 'ingress' | 'egress'): unknown => {
  const out: Record<string, unknown> = { action: r.action }
  if (r.protocol !== undefined) out.protocol = r.protocol
  if (r.protocol === undefined && r.notProtocol !== undefined) out.notProtocol = r.notProtocol
  if (r.protocol === 'ICMP') out.icmp = { type: 8 }
  const side = dir === 'ingress' ? 'source' : 'destination'
  if (Object.keys(r.peer).length > 0) out[side] = r.peer
  if (r.ports !== undefined && (r.protocol === 'TCP' || r.protocol === 'UDP')) out.destination = { ...((out.destination as Record<string, unknown> | undefined) ?? {}), ports: r.ports }
  return out
}

const genYaml = (secDefault: string, policies: ReadonlyArray<GenPolicy>): string => {
  const docs: Array<unknown> = [
    { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'sec' }, spec: { order: 10, defaultAction: secDefault } },
    { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'ext', labels: { zone: 'ext' } }, spec: { nets: ['203.0.113.0/24'] } },
    { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'partners', namespace: 'shop', labels: { app: 'db' } }, spec: { nets: ['198.51.100.0/24'] } }
  ]
  policies.forEach((p, i) => {
    const name = p.tier === 'default' ? `p${i}` : `sec.p${i}`
    const spec: Record<string, unknown> = { tier: p.tier, selector: p.selector }
    if (p.order !== undefined) spec.order = p.order
    if (p.kind === 'GlobalNetworkPolicy' && p.namespaceSelector !== undefined) spec.namespaceSelector = p.namespaceSelector
    if (p.serviceAccountSelector !== undefined) spec.serviceAccountSelector = p.serviceAccountSelector
    const types: Array<string> = []
    for (const d of ['ingress', 'egress'] as const) {
      const rules = p[d]
      if (rules === undefined) continue
      types.push(d === 'ingress' ? 'Ingress' : 'Egress')
      spec[d] = rules.map((r) => genRuleYaml(r, d))
    }
    spec.types = types.length === 0 ? ['Ingress'] : types
    docs.push({ apiVersion: 'projectcalico.org/v3', kind: p.kind, metadata: p.kind === 'GlobalNetworkPolicy' ? { name } : { name, namespace: p.namespace }, spec })
  })
  return docs.map((d) => YAML.stringify(d)).join('---\n')
}

const ipOf = (text: string): C.Ip => {
  const r = C.parseIp(text)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

/** The generated inventory plus what Calico selectors also see: network-set addresses, outside addresses, other service accounts. */
const richInventory = (set: PolicySet): Inventory => {
  const gen = inventoryFor(set)
  const extra: ReadonlyArray<Pod> = [
    { namespace: 'shop', name: 'in-partners', labels: { app: 'web' }, ip: ipOf('198.51.100.7'), ports: [], serviceAccount: 'sa1', node: undefined, hostNetwork: false },
    { namespace: 'other', name: 'sa1-db', labels: { app: 'db' }, ip: ipOf('10.9.0.1'), ports: [], serviceAccount: 'sa1', node: undefined, hostNetwork: false }
  ]
  return {
    ...gen,
    pods: [...gen.pods, ...extra],
    externals: [...gen.externals, { text: '203.0.113.9', ip: ipOf('203.0.113.9') }, { text: '198.51.100.9', ip: ipOf('198.51.100.9') }, { text: '10.9.0.2', ip: ipOf('10.9.0.2') }]
  }
}

describe('properties', () => {
  it('random Calico policy sets read back from the emitted Calico with the same calico-model table', () => {
    let total = 0
    fc.assert(
      fc.property(fc.constantFrom('Deny', 'Pass'), fc.array(genPolicyArb, { minLength: 1, maxLength: 3 }), (secDefault, policies) => {
        const read = parseText('in.yaml', genYaml(secDefault, policies))
        const parsed = parseDocs(read.docs)
        if (D.hasErrors(parsed.diagnostics)) return true
        total++
        const inv = richInventory(parsed.set)
        const out = emitSet(parsed.set, inv)
        expect(faithful(out.diagnostics)).toEqual([])
        const again = parse(out.yaml, 'out.yaml')
        expect(again.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
        expect(tableDifferences(parsed.set, again.set, inv, calicoModel, calicoModel)).toEqual([])
        return true
      }),
      params(150)
    )
    expect(total).toBeGreaterThan(100)
  })

  const peerArb: fc.Arbitrary<F.Formula> = fc.constantFrom(
    F.tt,
    podsIn('shop', 'app', 'web'),
    podsIn('other', 'role', 'bad'),
    F.and(F.kind(['pod']), F.labelEquals('namespace', 'team', 'blue')),
    F.and(F.kind(['pod']), F.not(F.labelEquals('endpoint', 'app', 'db'))),
    F.ipIn(cidr('10.9.0.0/16')),
    F.not(F.ipIn(cidr('10.0.0.0/8')))
  )
  const ciliumRuleArb = fc.record({ action: fc.constantFrom<Rule['action']>('allow', 'allow', 'deny'), peer: peerArb, ports: fc.constantFrom(P.all, P.port(P.TCP, 80), P.protocol(P.UDP)) })
  const directionArb = fc.option(fc.record({ defaultDeny: fc.boolean(), rules: fc.array(ciliumRuleArb, { maxLength: 3 }) }), { nil: undefined })
  const ciliumPolicyArb = fc.record({
    scope: fc.constantFrom<Policy['scope']>(ns('shop'), ns('other'), { _tag: 'cluster' }),
    subject: fc.constantFrom(F.kind(['pod']), pods('app', 'web'), pods('role', 'bad'), F.and(F.kind(['pod']), F.not(F.exists('endpoint', 'app')))),
    ingress: directionArb,
    egress: directionArb
  })

  it('random unordered sets with deny rules and open directions keep Cilium’s combination', () => {
    fc.assert(
      fc.property(fc.array(ciliumPolicyArb, { minLength: 1, maxLength: 4 }), (gen) => {
        const set = setOf(...gen.map((g, i) => policy(`c${i}`, g.scope, g.subject, g.ingress === undefined ? undefined : { ...g.ingress, rules: g.ingress.rules.map((r) => rule(r.action, r.peer, r.ports)) }, g.egress === undefined ? undefined : { ...g.egress, rules: g.egress.rules.map((r) => rule(r.action, r.peer, r.ports)) })))
        sameAsCilium(set)
        return true
      }),
      params(150)
    )
  })
})

// -------------------------------------------------------------------------------------
// corpus
// -------------------------------------------------------------------------------------

/** Corpus files Calico's own validation rejects (see test/dialects/calico-parse.test.ts for the reasons). */
const rejectedCalico: ReadonlyArray<string> = [
  'calico/ibm-network-config-analyzer/testcase10-local-networkpolicies-allow-default.yaml',
  'calico/ibm-network-config-analyzer/testcase11-denyFirstAlsoEgressDefaultAllow.yaml',
  'calico/ibm-network-config-analyzer/testcase17-empty-globalNetworkpolicy.yaml',
  'calico/ibm-network-config-analyzer/testcase21-Calico-allowSpecific-kube-system.yaml',
  'calico/ibm-network-config-analyzer/testcase24-b.yaml',
  'calico/ibm-network-config-analyzer/testcase3-networkpolicy-firstAllowSuperSet.yaml',
  'calico/ibm-network-config-analyzer/testcase5-denyFirst.yaml',
  'calico/ibm-network-config-analyzer/testcase6-superAllow.yaml',
  'calico/tigera-docs/calico-labels.block-1.yaml',
  'calico/tigera-docs/calico-labels.block-6.yaml',
  'calico/tigera-docs/calico-network-policy.block-1.yaml',
  'calico/tigera-docs/calico-network-policy.block-2.yaml',
  'calico/tigera-docs/create-ingress-gateway.block-2.yaml',
  'calico/tigera-docs/icmp-ping.block-2.yaml',
  'calico/tigera-docs/icmp-ping.block-3.yaml',
  'calico/tigera-docs/kubernetes-node-ports.block-1.yaml',
  'calico/tigera-docs/log-rules.block-1.yaml',
  'calico/tigera-docs/log-rules.block-2.yaml',
  'calico/tigera-docs/protect-hosts.block-1.yaml',
  'calico/tigera-docs/services-cluster-ips.block-1.yaml',
  'calico/tigera-docs/services-cluster-ips.block-2.yaml',
  'calico/tigera-docs/services-cluster-ips.block-3.yaml'
]

describe('corpus: calico → calico keeps the calico-model table', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project: corpus round trips did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; corpus round trips did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = corpusFiles('calico')
  it('finds the corpus files', () => expect(files.length).toBe(106))
  for (const file of files)
    it(file, () => {
      const read = parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8'))
      expect(read.diagnostics.map(D.render)).toEqual([])
      const parsed = parseDocs(read.docs)
      if (D.hasErrors(parsed.diagnostics)) {
        expect(rejectedCalico).toContain(file)
        return
      }
      const t = translate(parsed, calico, undefined)
      expect(faithful(t.diagnostics)).toEqual([])
      const again = parse(toYaml(t.objects), 'out.yaml')
      expect(again.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
      expect(tableDifferences(parsed.set, again.set, inventoryFor(parsed.set), calicoModel, calicoModel)).toEqual([])
    })
})
