/** Shared fast-check settings: fixed seeds in CI, more runs through NETPOLX_PROPERTY_RUNS. */
const runs = Number.parseInt(process.env.NETPOLX_PROPERTY_RUNS ?? '', 10)

export const numRuns = (dflt: number): number => (Number.isFinite(runs) && runs > 0 ? runs : dflt)

export const params = (dflt: number): { readonly numRuns: number; readonly seed: number | undefined } => ({
  numRuns: numRuns(dflt),
  seed: process.env.NETPOLX_PROPERTY_SEED === undefined ? 20261121 : Number(process.env.NETPOLX_PROPERTY_SEED)
})
