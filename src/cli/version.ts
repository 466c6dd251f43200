/** netpolx's version: the `version` of the nearest package.json named netpolx above this file. */
import { readFileSync } from 'node:fs'

/** Read from src/cli (tests) or dist/src/cli (the built CLI); `unknown` when neither is there. */
export const version = (): string => {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8'))
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'netpolx' && 'version' in pkg && typeof pkg.version === 'string')
        return pkg.version
    } catch {
      // not there: try the next candidate
    }
  }
  return 'unknown'
}
