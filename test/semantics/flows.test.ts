/**
 * The flow dimensions beyond (protocol, destination port) (issue 13 §3): source ports (Calico
 * `source.ports` / `source.notPorts`) and ICMP types and codes — parsed, evaluated by every model,
 * probed by reach and equiv, carried through the flatten algebra, translated to Calico and reported
 * in the direction they err towards Kubernetes and Cilium.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as P from '../../src/ir/ports.js'
import type { PolicySet } from '../../src/ir/policy.js'
import { mapRules } from '../../src/ir/policy.js'
import { flatten } from '../../src/lower/flatten.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { equiv, equivProbes } from '../../src/semantics/equiv.js'
import type { Model } from '../../src/semantics/model.js'
import { modelByName } from '../../src/semantics/models.js'
import { expandSourcePorts, icmpProbes, probeText, sourcePortMatches, sourcePortPoints } from '../../src/semantics/probes.js'
import type { Probe } from '../../src/semantics/table.js'
import { defaultProbes, matrix, reach } from '../../src/semantics/table.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const clusterYaml = `
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {kubernetes.io/metadata.name: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec: {containers: [{name: c, ports: [{name: client, containerPort: 151}]}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec: {containers: [{name: c, ports: [{name: serve-80-tcp, containerPort: 80}]}]}
status: {podIP: 10.0.1.2}
`

const inventory: Inventory = load(parseText('cluster.yaml', clusterYaml).docs).inventory

const parse = (yaml: string): PolicySet => {
  const r = parseDocs(parseText('p.yaml', yaml).docs)
  expect(r.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
  return r.set
}

const model = (name: string): Model => {
  const m = modelByName(name)
  if (m === undefined) throw new Error(name)
  return m
}

/** Whether x/a may connect to x/b on each probe, under a model. */
const aToB = (set: PolicySet, cni: string, probes: ReadonlyArray<Probe>): ReadonlyArray<string> => {
  const r = reach(set, inventory, model(cni), probes)
  const ids = r.classes.endpoints.map((e) => e.id)
  const [i, j] = [ids.indexOf('x/a'), ids.indexOf('x/b')]
  return r.tables.map((t) => `${probeText(t.probe)}: ${matrix(r, t)[i]?.[j] === true ? 'allowed' : 'denied'}`)
}

const calicoPolicy = (ingress: string): string => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  selector: pod == 'b'
  types: [Ingress]
  ingress:
${ingress}`

/** The reproducer of issue 13: "deny TCP from source port 151" must not read as "deny all TCP". */
const denyFrom151 = calicoPolicy(`  - action: Deny
    protocol: TCP
    source:
      ports: [151]
  - action: Allow
`)

// -------------------------------------------------------------------------------------
// source ports
// -------------------------------------------------------------------------------------

describe('source ports', () => {
  it('are parsed from Calico source.ports and source.notPorts, in ingress and egress rules', () => {
    const set = parse(denyFrom151)
    const rule = set.policies[0]?.ingress?.rules[0]
    expect(rule?.sourcePorts === undefined ? undefined : P.show(rule.sourcePorts)).toBe('TCP/151')
    const not = parse(calicoPolicy(`  - action: Allow
    protocol: UDP
    source:
      notPorts: ["1:1023"]
`))
    const r2 = not.policies[0]?.ingress?.rules[0]
    expect(r2?.sourcePorts === undefined ? undefined : P.show(r2.sourcePorts)).toBe('UDP/1024-65535')
    const egress = parse(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: e, namespace: x}
spec:
  selector: pod == 'a'
  types: [Egress]
  egress:
  - action: Allow
    protocol: TCP
    source:
      ports: [client]
`)
    const r3 = egress.policies[0]?.egress?.rules[0]
    expect(r3?.sourcePorts === undefined ? undefined : P.show(r3.sourcePorts)).toBe('named client/TCP')
    // a rule without source ports keeps the field absent
    expect(set.policies[0]?.ingress?.rules[1]).not.toHaveProperty('sourcePorts')
  })

  it('match a flow by its source port, and a flow without one only when they admit every source port', () => {
    const tcp151 = P.port(P.TCP, 151)
    expect(sourcePortMatches(undefined, P.TCP, undefined, [])).toBe(true)
    expect(sourcePortMatches(tcp151, P.TCP, 151, [])).toBe(true)
    expect(sourcePortMatches(tcp151, P.TCP, 152, [])).toBe(false)
    expect(sourcePortMatches(tcp151, P.TCP, undefined, [])).toBe(false)
    expect(sourcePortMatches(P.protocol(P.TCP), P.TCP, undefined, [])).toBe(true)
    expect(sourcePortMatches(P.named('client', P.TCP), P.TCP, 151, [{ name: 'client', protocol: P.TCP, port: 151 }])).toBe(true)
  })

  it('split the probes into the stretches the rules tell apart', () => {
    const set = parse(denyFrom151)
    expect(sourcePortPoints([set], inventory, P.TCP)).toEqual([1, 151, 152])
    expect(sourcePortPoints([set], inventory, P.UDP)).toBeUndefined()
    expect(expandSourcePorts([{ protocol: P.TCP, port: 80 }, { protocol: P.UDP, port: 53 }], [set], inventory)).toEqual([
      { protocol: P.TCP, port: 80, sourcePort: 1 },
      { protocol: P.TCP, port: 80, sourcePort: 151 },
      { protocol: P.TCP, port: 80, sourcePort: 152 },
      { protocol: P.UDP, port: 53 }
    ])
    // a probe that names its source port stays as it is
    expect(expandSourcePorts([{ protocol: P.TCP, port: 80, sourcePort: 9 }], [set], inventory)).toEqual([{ protocol: P.TCP, port: 80, sourcePort: 9 }])
    // named source ports add the ports they resolve to on the inventory's pods
    const named = parse(calicoPolicy(`  - action: Deny
    protocol: TCP
    source:
      ports: [client]
  - action: Allow
`))
    expect(sourcePortPoints([named], inventory, P.TCP)).toEqual([1, 151, 152])
  })

  it('deny only the flows from that source port under the calico model (the reproducer)', () => {
    const set = parse(denyFrom151)
    expect(aToB(set, 'calico', defaultProbes(set, inventory))).toEqual(['80/TCP from port 1: allowed', '80/TCP from port 151: denied', '80/TCP from port 152: allowed'])
    // a probe given without a source port is evaluated once per stretch
    expect(aToB(set, 'calico', [{ protocol: P.UDP, port: 53 }, { protocol: P.TCP, port: 443 }])).toEqual([
      '53/UDP: allowed',
      '443/TCP from port 1: allowed',
      '443/TCP from port 151: denied',
      '443/TCP from port 152: allowed'
    ])
  })

  it('are evaluated by the cilium model (deny overrides) and the k8s model (allow only)', () => {
    const set = parse(denyFrom151)
    const probes = [
      { protocol: P.TCP, port: 80, sourcePort: 151 },
      { protocol: P.TCP, port: 80, sourcePort: 40000 }
    ]
    expect(aToB(set, 'cilium', probes)).toEqual(['80/TCP from port 151: denied', '80/TCP from port 40000: allowed'])
    const allowHigh = parse(calicoPolicy(`  - action: Allow
    protocol: TCP
    source:
      ports: ["1024:65535"]
`))
    expect(aToB(allowHigh, 'k8s', probes)).toEqual(['80/TCP from port 151: denied', '80/TCP from port 40000: allowed'])
    expect(aToB(allowHigh, 'cilium', probes)).toEqual(['80/TCP from port 151: denied', '80/TCP from port 40000: allowed'])
    expect(aToB(allowHigh, 'calico', probes)).toEqual(['80/TCP from port 151: denied', '80/TCP from port 40000: allowed'])
  })

  it('named source ports resolve on the source: the peer for ingress', () => {
    const set = parse(calicoPolicy(`  - action: Allow
    protocol: TCP
    source:
      ports: [client]
`))
    // x/a declares client = 151
    expect(aToB(set, 'calico', [{ protocol: P.TCP, port: 80, sourcePort: 151 }, { protocol: P.TCP, port: 80, sourcePort: 152 }])).toEqual([
      '80/TCP from port 151: allowed',
      '80/TCP from port 152: denied'
    ])
  })

  it('take part in the flatten algebra: allow-after-deny keeps the other source ports', () => {
    const set = parse(denyFrom151)
    const flat = flatten(set, 'calico', 'k8s')
    const rules = flat.set.policies.flatMap((p) => p.ingress?.rules ?? [])
    expect(rules.map((r) => `${P.show(r.ports)}${r.sourcePorts === undefined ? '' : ` from ${P.show(r.sourcePorts)}`}`)).toEqual([
      'no TCP, any other protocol',
      'TCP/* from TCP/1-150, TCP/152-65535, any other protocol'
    ])
    // and the flattened set means what the ordered one meant, flow by flow
    const probes = [151, 152, 1].map((sourcePort) => ({ protocol: P.TCP, port: 80, sourcePort }))
    expect(aToB(flat.set, 'k8s', probes)).toEqual(aToB(set, 'calico', probes))
  })

  it('translate to Calico as source.ports, and to Kubernetes and Cilium with the fidelity of their error', () => {
    const parsed = parseDocs(parseText('p.yaml', denyFrom151).docs)
    const toCalico = translate(parsed, dialectByName('calico') ?? fail(), inventory)
    expect(toCalico.fidelity).toBe('exact')
    const text = serialise(toCalico.objects, 'yaml')
    expect(text).toContain('    source:\n      ports:\n      - 151\n')
    const again = parseDocs(parseText('t.yaml', text).docs)
    expect(equiv({ set: parsed.set, model: model('calico') }, { set: again.set, model: model('calico') }, inventory).equivalent).toBe(true)
    for (const target of ['k8s', 'cilium'] as const) {
      const t = translate(parsed, dialectByName(target) ?? fail(), inventory)
      const found = t.diagnostics.filter((d) => d.code === 'source-ports')
      // the allow that follows the deny is written for every source port: broader
      expect(found.map((d) => d.fidelity)).toEqual(['broader'])
      expect(found[0]?.message).toContain('it is written for every source port, so it allows more')
    }
    // a deny restricted by source port, written without it, denies more: narrower (Calico → Cilium
    // keeps an egress deny that precedes every allow as a deny)
    const denyOnly = parseDocs(
      parseText(
        'd.yaml',
        `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: e, namespace: x}
spec:
  selector: pod == 'a'
  types: [Egress]
  egress:
  - action: Deny
    protocol: TCP
    source:
      ports: [151]
  - action: Allow
`
      ).docs
    )
    const t = translate(denyOnly, dialectByName('cilium') ?? fail(), inventory)
    expect(t.diagnostics.filter((d) => d.code === 'source-ports').map((d) => d.fidelity)).toEqual(['narrower'])
  })

  it('that Calico cannot write (on a rule of every protocol) are reported, not dropped in silence', () => {
    const set = parse(denyFrom151)
    const others = P.difference(P.all, P.port(P.TCP, 151))
    if (others._tag === 'Left') throw new Error(others.left)
    const odd = { ...set, policies: set.policies.map((p) => mapRules(p, (r) => ({ ...r, ports: P.all, sourcePorts: others.right }))) }
    const out = (dialectByName('calico') ?? fail()).emit(odd, { inventory })
    expect(out.diagnostics.filter((d) => d.code === 'unsupported-source-ports').map((d) => d.fidelity)).toEqual(['broader', 'narrower'])
  })

  it('that admit every source port of the rule\'s protocol drop exactly', () => {
    const parsed = parseDocs(parseText('p.yaml', calicoPolicy(`  - action: Allow
    protocol: TCP
    source:
      ports: ["1:65535"]
`)).docs)
    const t = translate(parsed, dialectByName('k8s') ?? fail(), inventory)
    expect(t.diagnostics.filter((d) => d.code === 'source-ports')).toEqual([])
    expect(t.fidelity).toBe('exact')
  })

  it('are compared by equiv: a deny by source port differs from a deny of all TCP only from the other source ports', () => {
    const left = parse(denyFrom151)
    const right = parse(calicoPolicy(`  - action: Deny
    protocol: TCP
  - action: Allow
`))
    const probes = equivProbes(left, right, inventory)
    expect(probes.filter((p) => p.protocol === P.TCP).map(probeText)).toEqual([
      '1/TCP from port 1',
      '1/TCP from port 151',
      '1/TCP from port 152',
      '80/TCP from port 1',
      '80/TCP from port 151',
      '80/TCP from port 152'
    ])
    const r = equiv({ set: left, model: model('calico') }, { set: right, model: model('calico') }, inventory)
    expect(r.equivalent).toBe(false)
    expect([...new Set(r.differences.map((d) => d.probe.sourcePort))]).toEqual([1, 152])
  })
})

// -------------------------------------------------------------------------------------
// ICMP
// -------------------------------------------------------------------------------------

const fail = (): never => {
  throw new Error('missing dialect')
}

const calicoIcmp = calicoPolicy(`  - action: Allow
    protocol: ICMP
    icmp: {type: 8}
  - action: Allow
    protocol: ICMPv6
    notICMP: {type: 128, code: 1}
`)

const ciliumIcmp = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ping, namespace: x}
spec:
  endpointSelector: {matchLabels: {pod: b}}
  ingress:
  - icmps:
    - fields:
      - {type: 8, family: IPv4}
`

const icmp = (type: number, code = 0): Probe => ({ protocol: P.ICMP, port: type * 256 + code })
const icmpv6 = (type: number, code = 0): Probe => ({ protocol: P.ICMPV6, port: type * 256 + code })

describe('ICMP probes', () => {
  it('are the (type, code) stretches the policies single out, by default', () => {
    const set = parse(calicoIcmp)
    expect(icmpProbes([set]).map(probeText)).toEqual(['ICMP/0/0', 'ICMP/8/0', 'ICMP/9/0', 'ICMPv6/0/0', 'ICMPv6/128/1', 'ICMPv6/128/2'])
    // the TCP default stays as before, ICMP follows
    expect(defaultProbes(set, inventory).map(probeText)).toEqual(['80/TCP', 'ICMP/0/0', 'ICMP/8/0', 'ICMP/9/0', 'ICMPv6/0/0', 'ICMPv6/128/1', 'ICMPv6/128/2'])
    // a set whose rules never single out ICMP gets no ICMP probe
    expect(icmpProbes([parse(denyFrom151)])).toEqual([])
  })

  it('check Calico icmp and notICMP rules under the calico model', () => {
    const set = parse(calicoIcmp)
    expect(aToB(set, 'calico', [icmp(8), icmp(0), icmp(8, 3), icmpv6(128), icmpv6(128, 1), { protocol: P.TCP, port: 80 }])).toEqual([
      'ICMP/8/0: allowed',
      'ICMP/0/0: denied',
      'ICMP/8/3: allowed',
      'ICMPv6/128/0: allowed',
      'ICMPv6/128/1: denied',
      '80/TCP: denied'
    ])
  })

  it('check Cilium icmps rules under the cilium model', () => {
    const set = parse(ciliumIcmp)
    expect(aToB(set, 'cilium', [icmp(8), icmp(0), icmpv6(8), { protocol: P.TCP, port: 80 }])).toEqual([
      'ICMP/8/0: allowed',
      'ICMP/0/0: denied',
      'ICMPv6/8/0: denied',
      '80/TCP: denied'
    ])
  })

  it('Cilium ICMP type 0 (EchoReply) stands for every type of its family (shrunk property-test counterexample)', () => {
    // the type becomes port "0", which Cilium reads as every port (pkg/policy/api/icmp.go)
    const set = parse(`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: ccnp0}
spec:
  endpointSelector: {matchLabels: {pod: b}}
  ingressDeny:
  - fromEndpoints: [{}]
    icmps:
    - fields:
      - type: EchoReply
      - {type: 3, family: IPv4}
  enableDefaultDeny: {ingress: false}
`)
    expect(aToB(set, 'cilium', [icmp(8), icmp(3, 1), icmpv6(128), { protocol: P.TCP, port: 80 }])).toEqual([
      'ICMP/8/0: denied',
      'ICMP/3/1: denied',
      'ICMPv6/128/0: allowed',
      '80/TCP: allowed'
    ])
  })

  it('under the k8s model: a rule without ports admits ICMP, a TCP rule does not (NetworkPolicy has no ICMP)', () => {
    const set = parse(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from: [{podSelector: {matchLabels: {pod: a}}}]
    ports: [{port: 80}]
`)
    expect(aToB(set, 'k8s', [icmp(8), { protocol: P.TCP, port: 80 }])).toEqual(['ICMP/8/0: denied', '80/TCP: allowed'])
    const all = parse(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from: [{podSelector: {matchLabels: {pod: a}}}]
`)
    expect(aToB(all, 'k8s', [icmp(8)])).toEqual(['ICMP/8/0: allowed'])
  })

  it('are compared by equiv: Calico echo-request only against Cilium echo-request, and against echo-reply', () => {
    const calicoSet = parse(calicoPolicy(`  - action: Allow
    protocol: ICMP
    icmp: {type: 8}
`))
    const same = equiv({ set: calicoSet, model: model('calico') }, { set: parse(ciliumIcmp), model: model('cilium') }, inventory)
    expect(same.probes.filter((p) => p.protocol === P.ICMP).map(probeText)).toEqual(['ICMP/0/0', 'ICMP/8/0', 'ICMP/9/0'])
    // the only differences are the loopback flows, which Cilium lets through and Calico does not (none here: b→b is denied by both)
    expect(same.equivalent).toBe(true)
    const reply = parse(calicoPolicy(`  - action: Allow
    protocol: ICMP
    icmp: {type: 0}
`))
    const r = equiv({ set: calicoSet, model: model('calico') }, { set: reply, model: model('calico') }, inventory)
    expect(r.equivalent).toBe(false)
    expect([...new Set(r.differences.map((d) => probeText(d.probe)))]).toEqual(['ICMP/0/0', 'ICMP/8/0'])
  })
})
