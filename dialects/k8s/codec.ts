/**
 * io-ts shapes of networking.k8s.io/v1 NetworkPolicy, with the API server's field validation
 * (ranges, enums, CIDRs, IANA service names). Cross-field rules are checked in `parse.ts`.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as C from '../../src/ir/cidr.js'
import { describe, intRange, oneOf, refinedString, struct } from '../../src/io/decode.js'
import { ObjectMeta, ValidLabelSelector, ianaServiceNameProblem } from '../kube.js'

export { LabelSelector, LabelSelectorRequirement, ObjectMeta, ianaServiceNameProblem } from '../kube.js'

// -------------------------------------------------------------------------------------
// primitives
// -------------------------------------------------------------------------------------

/** `port`: a number 1-65535 or a named port. */
export const PortValue = new t.Type<number | string, number | string, unknown>(
  'port',
  (u): u is number | string => typeof u === 'number' || typeof u === 'string',
  (u, c) => {
    if (typeof u === 'number')
      return Number.isInteger(u) && u >= 1 && u <= 65535
        ? t.success(u)
        : t.failure(u, c, `invalid port ${describe(u)}: expected a number from 1 to 65535 or a port name`)
    if (typeof u === 'string') {
      const why = ianaServiceNameProblem(u)
      return why === undefined ? t.success(u) : t.failure(u, c, `invalid port name ${describe(u)}: ${why}`)
    }
    return t.failure(u, c, `invalid port ${describe(u)}: expected a number from 1 to 65535 or a port name`)
  },
  (a) => a
)

export const Cidr = refinedString('CIDR', (s) =>
  E.match<string, C.CidrSet, string | undefined>(
    (why) => why,
    () => undefined
  )(C.parseCidr(s))
)

// -------------------------------------------------------------------------------------
// shapes
// -------------------------------------------------------------------------------------

export const IPBlock = struct('IPBlock', { cidr: Cidr }, { except: t.readonlyArray(Cidr) })
export type IPBlock = t.TypeOf<typeof IPBlock>

export const NetworkPolicyPeer = struct(
  'NetworkPolicyPeer',
  {},
  { podSelector: ValidLabelSelector, namespaceSelector: ValidLabelSelector, ipBlock: IPBlock }
)
export type NetworkPolicyPeer = t.TypeOf<typeof NetworkPolicyPeer>

export const NetworkPolicyPort = struct(
  'NetworkPolicyPort',
  {},
  {
    protocol: oneOf('protocol', ['TCP', 'UDP', 'SCTP'] as const),
    port: PortValue,
    endPort: intRange('endPort', 1, 65535)
  }
)
export type NetworkPolicyPort = t.TypeOf<typeof NetworkPolicyPort>

export const IngressRule = struct(
  'NetworkPolicyIngressRule',
  {},
  { from: t.readonlyArray(NetworkPolicyPeer), ports: t.readonlyArray(NetworkPolicyPort) }
)
export type IngressRule = t.TypeOf<typeof IngressRule>

export const EgressRule = struct(
  'NetworkPolicyEgressRule',
  {},
  { to: t.readonlyArray(NetworkPolicyPeer), ports: t.readonlyArray(NetworkPolicyPort) }
)
export type EgressRule = t.TypeOf<typeof EgressRule>

export const PolicyType = oneOf('policy type', ['Ingress', 'Egress'] as const)

export const NetworkPolicySpec = struct(
  'NetworkPolicySpec',
  {},
  {
    podSelector: ValidLabelSelector,
    policyTypes: t.readonlyArray(PolicyType),
    ingress: t.readonlyArray(IngressRule),
    egress: t.readonlyArray(EgressRule)
  }
)
export type NetworkPolicySpec = t.TypeOf<typeof NetworkPolicySpec>

/** A NetworkPolicy; an absent `spec` is the zero spec (Go's decoding). `status` and other top-level fields of a `kubectl get` dump are allowed. */
export const NetworkPolicy = struct(
  'NetworkPolicy',
  { apiVersion: t.literal('networking.k8s.io/v1'), kind: t.literal('NetworkPolicy'), metadata: ObjectMeta },
  { spec: NetworkPolicySpec },
  { allowUnknown: true }
)
export type NetworkPolicy = t.TypeOf<typeof NetworkPolicy>
