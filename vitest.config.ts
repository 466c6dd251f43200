import { defineConfig } from 'vitest/config'

/**
 * More property runs (NETPOLX_PROPERTY_RUNS) take longer: give each test an hour then. The default
 * runs of the nine-pair property file take 30-60 s on an idle 2-core machine and several times that
 * when the machine is shared: five minutes per test, so a busy machine does not fail them.
 */
const longRuns = process.env.NETPOLX_PROPERTY_RUNS !== undefined

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: longRuns ? 3_600_000 : 300_000,
    hookTimeout: 60_000
  }
})
