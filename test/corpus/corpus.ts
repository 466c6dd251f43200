/** The shared corpus of real policies (../shared/corpus beside the project), when present. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus')

export const corpusPresent = fs.existsSync(corpusDir)

/** Every file under corpus/<dialect>, relative paths, sorted. */
export const corpusFiles = (dialect: string): ReadonlyArray<string> => {
  const root = path.join(corpusDir, dialect)
  const walk = (d: string): ReadonlyArray<string> =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))
  return fs.existsSync(root) ? walk(root).map((f) => path.relative(corpusDir, f)) : []
}
