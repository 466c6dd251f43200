/**
 * `netpolx defaults` as a library (DESIGN.md §6): built-in and user-written profiles, their
 * decoding, and generation of baseline policies in any dialect. See `generate.ts`.
 */
export { builtinDir, builtinProfiles, profilesOfText } from './builtin.js'
export type { Loaded } from './builtin.js'
export { compile } from './compile.js'
export type { Compiled, Instance } from './compile.js'
export { flagOf, generate, header, namespacesInventory } from './generate.js'
export type { Generated, Request } from './generate.js'
export { profileHelp, profilesHelp } from './help.js'
export { parameterTypes, standardFlags, valueFromCli, valueFromYaml } from './params.js'
export type { ParameterType, Value } from './params.js'
export { decodePolicies } from './policy.js'
export type { PolicySpec } from './policy.js'
export { apiVersion, decodeProfile, isProfileDoc, kind } from './profile.js'
export type { Parameter, Profile } from './profile.js'
export { calicoOrder, forTarget, guardrailTier } from './target.js'
export type { Targeted } from './target.js'
export { references, substitute } from './template.js'
