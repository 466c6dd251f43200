import { defineConfig } from 'vitest/config'

/** More property runs (NETPOLX_PROPERTY_RUNS) take longer: give each test an hour then. */
const longRuns = process.env.NETPOLX_PROPERTY_RUNS !== undefined

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: longRuns ? 3_600_000 : 60_000,
    hookTimeout: 60_000
  }
})
