/**
 * Source ports towards targets that cannot write them.
 *
 * Only Calico rules match source ports (`source.ports` / `source.notPorts`, the IR's
 * `Rule.sourcePorts`). A Kubernetes NetworkPolicy port is a destination port
 * (kubernetes `staging/src/k8s.io/api/networking/v1/types.go`, `NetworkPolicyPort`: "the port on
 * the given protocol"), and so is a Cilium `toPorts` port (cilium `pkg/policy/api/l4.go`,
 * `PortProtocol`: "Port can be an L4 port number"; the policy language has no source-port match).
 *
 * So towards those targets this pass drops each rule's source ports: exactly when they admit
 * every source port of each protocol the rule matches (the rule is then only kept to those
 * protocols); otherwise in the direction the drop errs — an allow rule written for every source
 * port allows more (`broader`), a deny rule denies more (`narrower`), a pass rule passes more
 * (`unsupported`: it can allow or deny), a log rule only logs more (`exact`). Run after the order is
 * compiled away (`flatten`), which keeps source ports in its set algebra.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import type { DialectName, Policy, PolicySet, Rule } from '../ir/policy.js'
import { mapRules } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import type { Lowered } from './addresses.js'

const targetText: Readonly<Record<DialectName, string>> = { k8s: 'a Kubernetes NetworkPolicy', calico: 'a Calico policy', cilium: 'a Cilium policy', cnp: 'a ClusterNetworkPolicy' }

const effect: Readonly<Record<Rule['action'], readonly [D.Fidelity, string]>> = {
  allow: ['broader', 'allows more'],
  deny: ['narrower', 'denies more'],
  pass: ['unsupported', 'passes more packets on, which can allow or deny them'],
  log: ['exact', 'logs more, which changes no verdict']
}

/** Whether source ports `sp` admit every source port of each protocol of `ports`. */
const admitsAll = (ports: P.PortSet, sp: P.PortSet): boolean => {
  const missing = P.difference(P.wholeProtocolsOf(ports), sp)
  return E.isRight(missing) && P.isEmpty(missing.right)
}

/** The set with every rule's source ports dropped, for a target other than Calico (module comment). */
export const dropSourcePorts = (set: PolicySet, to: DialectName): Lowered => {
  if (to === 'calico') return { set, diagnostics: [] }
  const diagnostics: Array<D.Diagnostic> = []
  const rewrite = (r: Rule): Rule => {
    const sp = r.sourcePorts
    if (sp === undefined) return r
    const ports = E.getOrElse(() => r.ports)(P.intersect(r.ports, P.wholeProtocolsOf(sp)))
    const { sourcePorts: _dropped, ...rest } = r
    if (!admitsAll(ports, sp)) {
      const [fidelity, more] = effect[r.action]
      diagnostics.push(
        D.loss(
          fidelity,
          'source-ports',
          `the rule matches source ports ${P.show(E.getOrElse(() => sp)(P.intersect(sp, P.wholeProtocolsOf(ports))))}, which ${targetText[to]} cannot say (it matches destination ports only); it is written for every source port, so it ${more}`,
          r.location
        )
      )
    }
    return { ...rest, ports }
  }
  const policies: ReadonlyArray<Policy> = set.policies.map((p) => mapRules(p, rewrite))
  return { set: { ...set, policies }, diagnostics }
}
