/**
 * Egress named ports between Cilium and the other dialects.
 *
 * Kubernetes and Calico resolve an egress named port on each destination pod: the rule matches the
 * port that destination gives the name, and nothing towards a destination that does not declare
 * it. Cilium resolves egress port names through one map of the named ports of every pod
 * (cilium `pkg/types/portmap.go`; a name bound to different ports is `ErrDuplicateNamedPorts` and
 * the rule then allows nothing on it, cilium/cilium#24779, #30003): a name bound to one port opens
 * that port towards every peer of the rule, pods that do not declare the name included.
 *
 * With an inventory, the translation into Cilium compares both resolutions for every peer pod the
 * rule reaches (evaluated with the source's neutral atom meanings), for policies that select some
 * pod: when they agree everywhere — every such pod declares the name with the one port Cilium
 * resolves it to, or the policy reaches no pod — the finding is `exact-for-inventory`; otherwise
 * the flows where Cilium opens more (`broader` for an allow rule) or less (`narrower`) are named.
 * Without an inventory, or from Cilium towards the others, the difference is reported as the kind
 * of error it can make.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import * as F from '../ir/formula.js'
import type { NamedPort } from '../ir/ports.js'
import * as P from '../ir/ports.js'
import type { Policy, PolicySet, Rule } from '../ir/policy.js'
import { scopedSubject } from '../ir/policy.js'
import type { Endpoint } from '../semantics/endpoint.js'
import { endpointsOf, holds } from '../semantics/endpoint.js'

/** Leaving out matches of the rule: an allow allows less, a deny denies less. */
const missing = (r: Rule): D.Fidelity => (r.action === 'deny' ? 'broader' : 'narrower')
/** Adding matches to the rule. */
const extra = (r: Rule): D.Fidelity => (r.action === 'deny' ? 'narrower' : 'broader')

const citation = "Cilium resolves egress port names through one node-wide map of every pod's named ports (cilium pkg/types/portmap.go; cilium/cilium#24779)"

const binding = (x: string): string => {
  const [proto, port] = x.split('/')
  return `${port}/${P.protocolName(Number(proto))}`
}

const listed = (xs: ReadonlyArray<string>): string => (xs.length <= 3 ? xs.join(', ') : `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more`)

/** The (protocol/port) bindings of a name on an endpoint, for the name's protocol. */
const bindingsOn = (e: Endpoint, nm: NamedPort): ReadonlySet<string> =>
  new Set(e.ports.filter((cp) => cp.name === nm.name && (nm.protocol === undefined || cp.protocol === nm.protocol)).map((cp) => `${cp.protocol}/${cp.port}`))

/** Findings for the egress named ports of a set translated from (`toCilium` false) or to Cilium (module comment). */
export const egressNamedPorts = (set: PolicySet, inv: Inventory | undefined, toCilium: boolean): ReadonlyArray<D.Diagnostic> => {
  const bindings = new Map<string, Set<string>>()
  const hostBindings = new Map<string, Set<string>>()
  for (const p of inv?.pods ?? [])
    for (const cp of p.ports) {
      if (cp.name === undefined) continue
      const m = p.hostNetwork ? hostBindings : bindings
      m.set(cp.name, (m.get(cp.name) ?? new Set()).add(`${cp.protocol}/${cp.port}`))
    }
  const endpoints = inv === undefined ? [] : endpointsOf(inv)
  const holdsOn = (f: F.Formula, e: Endpoint): boolean => inv !== undefined && F.evaluate(f, (a) => holds(a, e, inv))

  /** With an inventory, into Cilium: the flows on which the two resolutions differ. */
  const onInventory = (p: Policy, r: Rule, nm: NamedPort, reachesPods: boolean): D.Diagnostic => {
    const b = bindings.get(nm.name)
    const only = b !== undefined && b.size === 1 ? [...b][0] : undefined
    const cilium = only !== undefined && (nm.protocol === undefined || only.startsWith(`${nm.protocol}/`)) ? only : undefined
    const more: Array<string> = []
    const less: Array<string> = []
    if (reachesPods)
      for (const e of endpoints) {
        if (!holdsOn(r.peer, e)) continue
        const own = bindingsOn(e, nm)
        if (cilium !== undefined && !own.has(cilium)) more.push(`${e.id} on ${binding(cilium)}`)
        for (const x of own) if (x !== cilium) less.push(`${e.id} on ${binding(x)}`)
      }
    const name = JSON.stringify(nm.name)
    if (more.length > 0)
      return D.loss(extra(r), 'egress-named-port', `egress named port ${name}: ${citation}, so the rule also matches flows to ${listed(more)}, where the name is not declared with that port`, r.location)
    if (less.length > 0)
      return D.loss(
        missing(r),
        'egress-named-port',
        `egress named port ${name}: ${citation}${b !== undefined && b.size > 1 ? ", and the inventory's pods bind the name to several ports" : ''}, so the rule no longer matches flows to ${listed(less)}`,
        r.location
      )
    const why = !reachesPods
      ? `${p.origin.name} selects no pod of the inventory`
      : cilium === undefined
        ? 'no pod the rule reaches declares the name'
        : `every pod the rule reaches declares it as ${binding(cilium)}`
    return D.loss('exact-for-inventory', 'egress-named-port', `egress named port ${name}: ${citation}; on the inventory that changes no flow (${why})`, r.location)
  }

  return set.policies.flatMap((p) => {
    const rules = p.egress?.rules ?? []
    if (!rules.some((r) => r.ports.named.length > 0)) return []
    const reachesPods = toCilium && inv !== undefined && endpoints.some((e) => e.kind === 'pod' && holdsOn(scopedSubject(p), e))
    return rules.flatMap((r) =>
      r.ports.named.flatMap((nm): ReadonlyArray<D.Diagnostic> => {
        if (toCilium && inv !== undefined) return [onInventory(p, r, nm, reachesPods)]
        // under Cilium an ambiguous name matches nothing, an unambiguous one more than per destination
        const ciliumLess = toCilium ? missing(r) : extra(r)
        const ciliumMore = toCilium ? extra(r) : missing(r)
        const b = bindings.get(nm.name)
        if (inv === undefined || b === undefined || b.size > 1)
          return [
            D.loss(
              ciliumLess,
              'egress-named-port',
              `egress named port "${nm.name}": ${citation}, and a name bound to several ports matches nothing${inv === undefined ? '; give --cluster to check the bindings' : ''}`,
              r.location
            )
          ]
        const more = D.loss(ciliumMore, 'egress-named-port', `egress named port "${nm.name}": Cilium matches its one port towards every peer of the rule, not only the pods that declare the name (${citation})`, r.location)
        // host-network pods that bind the name elsewhere: the others resolve it there, Cilium does not
        const elsewhere = [...(hostBindings.get(nm.name) ?? [])].some((x) => !b.has(x))
        return elsewhere
          ? [more, D.loss(ciliumLess, 'egress-named-port', `egress named port "${nm.name}": host-network pods bind it to other ports, which Cilium's node-wide map of pod ports does not hold`, r.location)]
          : [more]
      })
    )
  })
}
