/**
 * The built-in profiles: the `profiles/*.yaml` files shipped with netpolx (the folder at the
 * package root, found from this module's place in `src/defaults` or `dist/src/defaults`). They are
 * ordinary profile files, decoded like a user's. Read synchronously (a handful of small files,
 * also needed to render `--help`); never throws: problems are diagnostics.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import { parseText } from '../io/source.js'
import type { Profile } from './profile.js'
import { decodeProfile } from './profile.js'

export interface Loaded {
  readonly profiles: ReadonlyArray<Profile>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** The folder of the built-in profiles, or undefined when it cannot be found. */
export const builtinDir = (): string | undefined => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  return [path.join(here, '..', '..', 'profiles'), path.join(here, '..', '..', '..', 'profiles')].find(isDir)
}

/** Decodes every profile document of already-read documents' text (one file). */
export const profilesOfText = (file: string, text: string): Loaded => {
  const parsed = parseText(file, text)
  const profiles: Array<Profile> = []
  const diagnostics: Array<D.Diagnostic> = [...parsed.diagnostics]
  for (const doc of parsed.docs) {
    const r = decodeProfile(doc)
    if (E.isLeft(r)) diagnostics.push(...r.left)
    else profiles.push(r.right)
  }
  return { profiles, diagnostics }
}

let cache: Loaded | undefined

/** The built-in profiles, sorted by name (read once). */
export const builtinProfiles = (): Loaded => {
  if (cache !== undefined) return cache
  const dir = builtinDir()
  if (dir === undefined) return (cache = { profiles: [], diagnostics: [D.error('no-builtin-profiles', 'the built-in profiles folder (profiles/) is missing from this installation')] })
  const profiles: Array<Profile> = []
  const diagnostics: Array<D.Diagnostic> = []
  let files: ReadonlyArray<string>
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
  } catch (e) {
    files = []
    diagnostics.push(D.error('no-builtin-profiles', `cannot read the built-in profiles folder ${dir}: ${e instanceof Error ? e.message : String(e)}`))
  }
  for (const f of files) {
    const file = path.join(dir, f)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      diagnostics.push(D.error('unreadable-input', `cannot read: ${e instanceof Error ? e.message : String(e)}`, { file, line: 1, col: 1 }))
      continue
    }
    const r = profilesOfText(file, text)
    profiles.push(...r.profiles)
    diagnostics.push(...r.diagnostics)
  }
  profiles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return (cache = { profiles, diagnostics })
}
