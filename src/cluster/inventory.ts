/**
 * The cluster inventory a truth table runs over, read from ordinary manifests or `kubectl get -o
 * yaml` dumps: Namespaces, Pods (labels, IP, named container ports, service account, node,
 * hostNetwork), Nodes and Services. Other kinds are ignored.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as D from '../diagnostics.js'
import { decode as decodeStrict, stringMap, withoutNulls } from '../io/decode.js'
import type { SourceDoc } from '../io/source.js'
import * as C from '../ir/cidr.js'
import * as P from '../ir/ports.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Labels = Readonly<Record<string, string>>

export interface ContainerPort {
  readonly name: string | undefined
  readonly protocol: number
  readonly port: number
}

export interface Namespace {
  readonly name: string
  readonly labels: Labels
}

export interface Pod {
  readonly namespace: string
  readonly name: string
  readonly labels: Labels
  readonly ip: C.Ip | undefined
  readonly ports: ReadonlyArray<ContainerPort>
  readonly serviceAccount: string
  readonly node: string | undefined
  readonly hostNetwork: boolean
}

export interface Node {
  readonly name: string
  readonly labels: Labels
  readonly ips: ReadonlyArray<C.Ip>
}

export interface Service {
  readonly namespace: string
  readonly name: string
  readonly labels: Labels
  readonly selector: Labels | undefined
}

/** An address outside the cluster, given on the command line (`--external IP`). */
export interface External {
  readonly text: string
  readonly ip: C.Ip
}

export interface Inventory {
  readonly namespaces: ReadonlyArray<Namespace>
  readonly pods: ReadonlyArray<Pod>
  readonly nodes: ReadonlyArray<Node>
  readonly services: ReadonlyArray<Service>
  readonly externals: ReadonlyArray<External>
}

export const emptyInventory: Inventory = { namespaces: [], pods: [], nodes: [], services: [], externals: [] }

/** The label the API server puts on every Namespace (Kubernetes ≥ 1.21). */
export const namespaceNameLabel = 'kubernetes.io/metadata.name'

// -------------------------------------------------------------------------------------
// codecs (lenient: dumps carry many more fields)
// -------------------------------------------------------------------------------------

const Meta = t.intersection([t.type({ name: t.string }), t.partial({ namespace: t.string, labels: stringMap('labels') })])

const ContainerPortC = t.intersection([
  t.type({ containerPort: t.number }),
  t.partial({ name: t.string, protocol: t.keyof({ TCP: null, UDP: null, SCTP: null }) })
])
const Container = t.partial({ ports: t.readonlyArray(ContainerPortC) })

const PodC = t.type({
  metadata: Meta,
  spec: t.partial({
    containers: t.readonlyArray(Container),
    initContainers: t.readonlyArray(Container),
    serviceAccountName: t.string,
    serviceAccount: t.string,
    nodeName: t.string,
    hostNetwork: t.boolean
  })
})
const PodStatus = t.partial({ status: t.partial({ podIP: t.string, podIPs: t.readonlyArray(t.type({ ip: t.string })) }) })

const NodeC = t.intersection([
  t.type({ metadata: Meta }),
  t.partial({ status: t.partial({ addresses: t.readonlyArray(t.type({ type: t.string, address: t.string })) }) })
])

const ServiceC = t.intersection([t.type({ metadata: Meta }), t.partial({ spec: t.partial({ selector: stringMap('selector') }) })])

/** Inventory manifests are decoded leniently, with null fields as absent. */
const decode = <A>(codec: t.Decoder<unknown, A>, doc: SourceDoc, value: unknown) => decodeStrict(codec, doc, withoutNulls(value))

// -------------------------------------------------------------------------------------
// loading
// -------------------------------------------------------------------------------------

const kindOf = (v: unknown): { readonly apiVersion: unknown; readonly kind: unknown } =>
  typeof v === 'object' && v !== null ? { apiVersion: (v as Record<string, unknown>).apiVersion, kind: (v as Record<string, unknown>).kind } : { apiVersion: undefined, kind: undefined }

const protocolNumber = (p: string | undefined): number => (p === 'UDP' ? P.UDP : p === 'SCTP' ? P.SCTP : P.TCP)

export interface LoadResult {
  readonly inventory: Inventory
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

/** Reads the inventory kinds out of documents; namespaces that pods use but no manifest declares are added with just their name label. */
export const load = (docs: ReadonlyArray<SourceDoc>, externals: ReadonlyArray<External> = []): LoadResult => {
  const diagnostics: Array<D.Diagnostic> = []
  const namespaces = new Map<string, Namespace>()
  const pods: Array<Pod> = []
  const nodes: Array<Node> = []
  const services: Array<Service> = []
  for (const doc of docs) {
    const { apiVersion, kind } = kindOf(doc.value)
    if (apiVersion !== 'v1') continue
    const fail = (ds: ReadonlyArray<D.Diagnostic>) => diagnostics.push(...ds)
    switch (kind) {
      case 'Namespace': {
        const r = decode(t.type({ metadata: Meta }), doc, doc.value)
        if (E.isLeft(r)) fail(r.left)
        else {
          const m = r.right.metadata
          namespaces.set(m.name, { name: m.name, labels: { ...m.labels, [namespaceNameLabel]: m.name } })
        }
        break
      }
      case 'Pod': {
        const r = decode(t.intersection([PodC, PodStatus]), doc, doc.value)
        if (E.isLeft(r)) {
          fail(r.left)
          break
        }
        const { metadata: m, spec, status } = r.right
        const ipText = status?.podIP ?? status?.podIPs?.[0]?.ip
        let ip: C.Ip | undefined
        if (ipText !== undefined) {
          const parsed = C.parseIp(ipText)
          if (E.isLeft(parsed)) diagnostics.push(D.error('invalid-ip', parsed.left, doc.locate(['status', 'podIP'])))
          else ip = parsed.right
        }
        const ports = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].flatMap((c) =>
          (c.ports ?? []).map((p) => ({ name: p.name, protocol: protocolNumber(p.protocol), port: p.containerPort }))
        )
        pods.push({
          namespace: m.namespace ?? 'default',
          name: m.name,
          labels: m.labels ?? {},
          ip,
          ports,
          serviceAccount: spec.serviceAccountName ?? spec.serviceAccount ?? 'default',
          node: spec.nodeName,
          hostNetwork: spec.hostNetwork ?? false
        })
        break
      }
      case 'Node': {
        const r = decode(NodeC, doc, doc.value)
        if (E.isLeft(r)) {
          fail(r.left)
          break
        }
        const ips = (r.right.status?.addresses ?? [])
          .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
          .map((a) => C.parseIp(a.address))
          .flatMap((e) => (E.isRight(e) ? [e.right] : []))
        nodes.push({ name: r.right.metadata.name, labels: r.right.metadata.labels ?? {}, ips })
        break
      }
      case 'Service': {
        const r = decode(ServiceC, doc, doc.value)
        if (E.isLeft(r)) {
          fail(r.left)
          break
        }
        const m = r.right.metadata
        services.push({ namespace: m.namespace ?? 'default', name: m.name, labels: m.labels ?? {}, selector: r.right.spec?.selector })
        break
      }
      default:
        break
    }
  }
  for (const p of pods)
    if (!namespaces.has(p.namespace)) namespaces.set(p.namespace, { name: p.namespace, labels: { [namespaceNameLabel]: p.namespace } })
  const byName = <A extends { readonly name: string; readonly namespace?: string }>(a: A, b: A): number => {
    const ka = `${a.namespace ?? ''}/${a.name}`
    const kb = `${b.namespace ?? ''}/${b.name}`
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }
  const seen = new Set<string>()
  for (const p of pods) {
    const k = `${p.namespace}/${p.name}`
    if (seen.has(k)) diagnostics.push(D.error('duplicate-pod', `pod ${k} is defined more than once`))
    seen.add(k)
  }
  return {
    inventory: {
      namespaces: [...namespaces.values()].sort(byName),
      pods: pods.sort(byName),
      nodes: nodes.sort(byName),
      services: services.sort(byName),
      externals
    },
    diagnostics
  }
}

/** `namespace/name` */
export const podId = (p: Pod): string => `${p.namespace}/${p.name}`

// -------------------------------------------------------------------------------------
// addresses
// -------------------------------------------------------------------------------------

const addressSet = (ips: ReadonlyArray<C.Ip | undefined>): C.CidrSet => ips.reduce<C.CidrSet>((s, ip) => (ip === undefined ? s : C.union(s, C.ofIp(ip))), C.empty)

/** The addresses of the pods on the pod network (host-network pods carry their node's). */
export const podAddresses = (inv: Inventory): C.CidrSet => addressSet(inv.pods.filter((p) => !p.hostNetwork).map((p) => p.ip))

/** The nodes' addresses: the Nodes' own and those of host-network pods. */
export const nodeAddresses = (inv: Inventory): C.CidrSet => addressSet([...inv.pods.filter((p) => p.hostNetwork).map((p) => p.ip), ...inv.nodes.flatMap((n) => n.ips)])

/** Every address the cluster owns: its pods' and its nodes'. */
export const clusterAddresses = (inv: Inventory): C.CidrSet => C.union(podAddresses(inv), nodeAddresses(inv))
